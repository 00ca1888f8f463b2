#pragma once

#include "kube/explain.h"
#include "kube/kubeclient.h"

#include <QJsonObject>
#include <QWidget>

class QPlainTextEdit;
class QTabWidget;
class QTextBrowser;
class QToolButton;

namespace tdkube::ui {

class LogView;

// The selected object in depth: an overview (for a pod that does not run, why, in plain words;
// a stale claim's warning; conditions; container states; the events that concern it), the object
// as YAML (read-only), and for a pod its logs.
class DetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailsPane)

public:
    explicit DetailsPane(QWidget *parent = nullptr);
    ~DetailsPane() override;

    // `note` is a warning to show first (a stale claim's explanation). Showing the same object
    // again (a watch update) refreshes overview and YAML but keeps the log stream.
    void showObject(kube::KubeClient *client, const QJsonObject &object, const kube::PodSurroundings &around,
                    const QString &note = {});
    void clear();
    QJsonObject object() const { return m_object; }

    QString overviewText() const;
    QString yamlText() const;
    LogView *logView() const { return m_logs; }
    QTabWidget *tabs() const { return m_tabs; }

    // The overview as HTML; public for tests.
    static QString overviewHtml(const QJsonObject &object, const kube::PodSurroundings &around,
                                const QString &note);

signals:
    // The person asked to edit the shown object (the "Edit…" button).
    void editRequested(const QJsonObject &object);

private:
    QJsonObject m_object;
    QString m_logsFor; // uid of the pod whose logs are shown
    QTabWidget *m_tabs = nullptr;
    QTextBrowser *m_overview = nullptr;
    QPlainTextEdit *m_yaml = nullptr;
    LogView *m_logs = nullptr;
    QToolButton *m_edit = nullptr;
};

} // namespace tdkube::ui
