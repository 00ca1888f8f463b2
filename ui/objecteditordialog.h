#pragma once

#include "deploy/applyset.h"

#include <QDialog>
#include <QJsonObject>
#include <QPointer>

class QLabel;
class QPushButton;
class QTabWidget;

namespace tdkube::kube {
class KubeClient;
}

namespace tdkube::ui {

class DiffView;
class YamlEditor;

// "Edit" for a live object: its YAML without what only the server writes, in the YAML editor;
// Dry-run shows what the server would make of the edit as a diff against the live object; Apply
// sends it (server-side apply, field manager tdkube) and is possible only after a dry-run of the
// same text. A conflict with another field manager names the fields and offers to take them over.
class ObjectEditorDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ObjectEditorDialog)

public:
    ObjectEditorDialog(kube::KubeClient *client, const QJsonObject &live, QWidget *parent = nullptr);
    ~ObjectEditorDialog() override;

    YamlEditor *editor() const { return m_editor; }
    DiffView *diffView() const { return m_diff; }
    QPushButton *dryRunButton() const { return m_dryRun; }
    QPushButton *applyButton() const { return m_apply; }
    QPushButton *forceButton() const { return m_force; }
    QString statusText() const;
    bool busy() const { return m_set != nullptr; }

    void dryRun();
    void apply(bool force = false);

signals:
    void applied();

private:
    bool editedObject(QJsonObject *object);
    void setStatus(const QString &text, bool error);
    void updateButtons();

    QPointer<kube::KubeClient> m_client;
    QJsonObject m_live;
    QString m_ns;
    YamlEditor *m_editor = nullptr;
    DiffView *m_diff = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_dryRun = nullptr;
    QPushButton *m_apply = nullptr;
    QPushButton *m_force = nullptr;
    QPointer<deploy::ApplySet> m_set;
    QString m_dryRunText; // the editor text the last successful dry-run was made of
};

} // namespace tdkube::ui
