#pragma once

#include "deploy/applyset.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWizardPage>

class QCheckBox;
class QLabel;
class QPushButton;
class QTabWidget;
class QTreeWidget;

namespace tdkube::ui {

class DeployWizard;
class DiffView;
class YamlEditor;

// The review before anything changes: the plan in steps, each generated object in its own YAML
// editor tab (edits are what gets applied), the server's dry-run of each and a diff against a live
// object of the same name. Apply is possible once every object passes the dry-run; conflicts with
// another field manager are listed and need "take over" (force) to go on.
class DeployReviewPage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeployReviewPage)

public:
    explicit DeployReviewPage(DeployWizard *wizard);
    ~DeployReviewPage() override;

    void initializePage() override;
    bool isComplete() const override;
    void cleanupPage() override;

    // The objects as the editors hold them now, in apply order; empty with `error` when one of
    // them does not parse.
    QList<QJsonObject> objects(QString *error = nullptr) const;
    bool force() const;
    QString planText() const;
    QTabWidget *tabs() const { return m_tabs; }
    YamlEditor *editor(int index) const;
    DiffView *diffView(int index) const;
    QTreeWidget *results() const { return m_results; }
    bool previewRunning() const { return m_preview && m_preview->isRunning(); }
    // Runs the dry-run again on the editors' text (also done shortly after each edit).
    void runPreview();
    // Writes the editors' objects as files `kubectl apply -f DIR` accepts; false with `error`.
    bool exportTo(const QString &directory, QString *error) const;

signals:
    void previewFinished();

private:
    void showPlan();
    void previewDone();
    // Why applying `result` (a live StatefulSet given fewer replicas) is refused; empty when it is not.
    static QString scaleInRefusal(const deploy::ObjectResult &result);
    void exportClicked();
    void editorsChanged();

    struct ObjectTab
    {
        YamlEditor *editor = nullptr;
        DiffView *diff = nullptr;
    };

    DeployWizard *m_wizard;
    QLabel *m_plan = nullptr;
    QTreeWidget *m_results = nullptr;
    QTabWidget *m_tabs = nullptr;
    QLabel *m_status = nullptr;
    QCheckBox *m_force = nullptr;
    QPushButton *m_recheck = nullptr;
    QList<ObjectTab> m_objectTabs;
    QPointer<deploy::ApplySet> m_preview;
    bool m_liveStatefulSet = false; // the dry-run found the StatefulSet live: applied to it, not deployed
    QList<deploy::ObjectResult> m_previewResults;
    bool m_previewCurrent = false;
    QTimer m_debounce;
};

} // namespace tdkube::ui
