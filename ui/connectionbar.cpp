#include "connectionbar.h"

#include "languagebutton.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QToolButton>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

ConnectionBar::ConnectionBar(QWidget *parent)
    : QToolBar(parent)
{
    setWindowTitle(tr("Connection"));
    setObjectName(u"connectionBar"_s);
    setMovable(false);
    // Actions read as words ("Deploy cluster…"), not as icons to guess.
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addWidget(new QLabel(tr(" Context "), this));
    m_contextBox = new QComboBox(this);
    m_contextBox->setObjectName(u"contextBox"_s);
    m_contextBox->setMinimumContentsLength(24);
    m_contextBox->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    addWidget(m_contextBox);
    addWidget(new QLabel(tr("  Namespace "), this));
    m_namespaceBox = new QComboBox(this);
    m_namespaceBox->setObjectName(u"namespaceBox"_s);
    m_namespaceBox->setEditable(true);
    m_namespaceBox->setInsertPolicy(QComboBox::NoInsert);
    m_namespaceBox->setMinimumContentsLength(18);
    addWidget(m_namespaceBox);
    auto *insecure = new QLabel(tr(" ⚠ TLS NOT VERIFIED "), this);
    insecure->setObjectName(u"insecureBadge"_s);
    insecure->setStyleSheet(
        u"QLabel { background:#c62828; color:white; font-weight:bold; border-radius:3px; }"_s);
    insecure->setToolTip(
        tr("The kubeconfig sets insecure-skip-tls-verify for this cluster: tdkube cannot tell "
           "whether it talks to the real API server."));
    addSeparator();
    m_insecureAction = addWidget(insecure);
    m_problems = new QToolButton(this);
    m_problems->setObjectName(u"kubeconfigProblems"_s);
    m_problems->setIcon(QIcon(u":/icons/warning.svg"_s));
    m_problems->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_problemsAction = addWidget(m_problems);
    m_insecureAction->setVisible(false);
    m_problemsAction->setVisible(false);
    addSeparator();
    m_deployAction = addAction(QIcon(u":/icons/tdengine.svg"_s), tr("Deploy cluster…"));
    m_deployAction->setObjectName(u"deployAction"_s);
    m_deployAction->setToolTip(
        tr("Deploy a new TDengine cluster in this context, with a review of every object "
           "before anything is applied"));
    auto *spacer = new QWidget(this);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    addWidget(spacer);
    auto *language = new LanguageButton(this);
    addWidget(language);
    connect(language, &LanguageButton::restartRequested, this, &ConnectionBar::restartRequested);
    QAction *about = addAction(tr("About"));
    about->setObjectName(u"aboutAction"_s);
    connect(about, &QAction::triggered, this, &ConnectionBar::showAbout);

    connect(m_contextBox, &QComboBox::activated, this,
            [this](int index) { emit contextRequested(m_contextBox->itemData(index).toString()); });
    connect(m_namespaceBox, &QComboBox::activated, this, [this](int index) {
        emit namespaceRequested(m_namespaceBox->itemData(index).isValid()
                                    ? m_namespaceBox->itemData(index).toString()
                                    : m_namespaceBox->itemText(index));
    });
    connect(m_namespaceBox->lineEdit(), &QLineEdit::returnPressed, this, [this] {
        const QString text = m_namespaceBox->currentText().trimmed();
        emit namespaceRequested(text == tr("All namespaces") ? QString() : text);
    });
    connect(m_problems, &QToolButton::clicked, this, &ConnectionBar::showProblems);
}

void ConnectionBar::setKubeconfig(const kube::Kubeconfig &config)
{
    m_contextBox->clear();
    for (const QString &name : config.contextNames()) {
        QString error;
        const bool usable = config.resolve(name, &error).has_value();
        m_contextBox->addItem(usable ? QIcon() : QIcon(u":/icons/warning.svg"_s), name, name);
        m_contextBox->setItemData(m_contextBox->count() - 1, usable ? QVariant() : QVariant(error),
                                  Qt::ToolTipRole);
    }
    m_configProblems = config.problems();
    m_problems->setText(tr("%n kubeconfig problem(s)", nullptr, int(m_configProblems.size())));
    m_problemsAction->setVisible(!m_configProblems.isEmpty());
}

void ConnectionBar::setContext(const QString &context, bool insecure)
{
    m_contextBox->setCurrentIndex(m_contextBox->findData(context));
    m_insecureAction->setVisible(insecure);
}

void ConnectionBar::setNamespaces(const QStringList &names, const QString &current, const QString &error)
{
    const QSignalBlocker blocker(m_namespaceBox);
    m_namespaceBox->clear();
    if (!names.isEmpty())
        m_namespaceBox->addItem(tr("All namespaces"), QString());
    for (const QString &name : names)
        m_namespaceBox->addItem(name, name);
    int index = m_namespaceBox->findData(current);
    if (index < 0 && !current.isEmpty()) {
        m_namespaceBox->addItem(current, current);
        index = m_namespaceBox->count() - 1;
    }
    m_namespaceBox->setCurrentIndex(index);
    if (index < 0)
        m_namespaceBox->setEditText(current);
    m_namespaceBox->setToolTip(error.isEmpty()
                                   ? tr("The namespace to show")
                                   : tr("The namespaces could not be listed: %1\nType the namespace "
                                        "you want and press Enter.")
                                         .arg(error));
}

bool ConnectionBar::insecureBadgeShown() const
{
    return m_insecureAction->isVisible();
}

void ConnectionBar::showProblems()
{
    QStringList lines;
    for (const kube::ConfigProblem &problem : std::as_const(m_configProblems))
        lines.append(problem.toString());
    QMessageBox::warning(
        window(), tr("Problems in the kubeconfig"),
        tr("These entries could not be read; the other contexts still work.\n\n%1").arg(lines.join(u"\n\n")));
}

void ConnectionBar::showAbout()
{
    QMessageBox::about(
        window(), tr("About tdkube"),
        tr("<h3>tdkube %1</h3><p>Deploy, observe, query and safely resize TDengine clusters on "
           "Kubernetes.</p><p>Built with Qt %2; running on Qt %3.</p>")
            .arg(QStringLiteral(TDKUBE_VERSION), QStringLiteral(QT_VERSION_STR),
                 QString::fromLatin1(qVersion())));
}

} // namespace tdkube::ui
