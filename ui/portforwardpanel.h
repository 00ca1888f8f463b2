#pragma once

#include "kube/portforward.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QWidget>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;
class QTableView;

namespace tdkube::ui {

// The forwards of one context and namespace as a table: target, ports, state (the reason as
// tooltip), the serving pod, connections and bytes. Owns the forwards; one row changes per event.
class PortForwardModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PortForwardModel)

public:
    enum Column { Target, Remote, Local, State, Pod, Connections, Bytes, ColumnCount };

    explicit PortForwardModel(QObject *parent = nullptr);
    ~PortForwardModel() override;

    void add(std::unique_ptr<kube::PortForward> forward);
    void remove(int row);
    void clear();
    kube::PortForward *forwardAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void changed(kube::PortForward *forward);

    std::vector<std::unique_ptr<kube::PortForward>> m_forwards;
};

// The port-forward manager: start a forward to a pod, a StatefulSet or a Service port (6041
// taosAdapter, 6030 taosd) on a chosen or free local port, watch it, stop it. Forwards can be
// remembered and started again when tdkube opens the same context and namespace (opt-in).
class PortForwardPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PortForwardPanel)

public:
    explicit PortForwardPanel(QWidget *parent = nullptr);
    ~PortForwardPanel() override;

    // Stops every forward and starts over for another context or namespace (`client` may be null).
    void setScope(kube::KubeClient *client, const QString &context, const QString &ns);
    // Names offered in the target box, by kind.
    void setTargets(const QStringList &pods, const QStringList &statefulSets, const QStringList &services);

    kube::PortForward *startForward(const kube::ForwardTarget &target, quint16 remotePort,
                                    quint16 localPort = 0);
    PortForwardModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    bool restoreAtStart() const;
    void setRestoreAtStart(bool restore);

private:
    void startFromForm();
    void fillNames();
    void remember();

    QPointer<kube::KubeClient> m_client;
    QString m_scopeKey;
    QStringList m_pods;
    QStringList m_statefulSets;
    QStringList m_services;
    QComboBox *m_kind = nullptr;
    QComboBox *m_name = nullptr;
    QSpinBox *m_remotePort = nullptr;
    QSpinBox *m_localPort = nullptr;
    QCheckBox *m_restore = nullptr;
    QLabel *m_message = nullptr;
    QTableView *m_table = nullptr;
    PortForwardModel *m_model = nullptr;
    QHash<const kube::PortForward *, quint16> m_requestedPorts; // 0: any free port
};

} // namespace tdkube::ui
