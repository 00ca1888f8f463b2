#pragma once

#include <QWizardPage>

class QLabel;
class QLineEdit;

namespace tdkube::ui {

class ConfigureWizard;

// Page 1 of the wizard in its upgrade form (ConfigureWizard::Environment::upgrade): the image the
// TDengine container runs and the version TDengine answers with, then the new image to type. What the
// change would be (an upgrade, the same version, or a refusal: no version in the tag, a downgrade, a jump
// TDengine cannot make one dnode at a time) shows as it is typed. Next stays disabled until the cluster
// was read and another image was typed.
class UpgradeImagePage final : public QWizardPage
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpgradeImagePage)

public:
    explicit UpgradeImagePage(ConfigureWizard *wizard);
    ~UpgradeImagePage() override;

    void initializePage() override;
    bool isComplete() const override;

    QString image() const; // as typed, trimmed
    QString currentText() const;
    QString assessmentText() const;
    QLineEdit *imageEdit() const { return m_image; }

private:
    void showFacts();
    void assess();

    ConfigureWizard *m_wizard;
    QLabel *m_current = nullptr;
    QLineEdit *m_image = nullptr;
    QLabel *m_assessment = nullptr;
    QString m_currentImage;
};

} // namespace tdkube::ui
