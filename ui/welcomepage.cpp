#include "welcomepage.h"

#include <QGridLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace tdkube::ui {

using namespace Qt::StringLiterals;

namespace {

QLabel *paragraph(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

} // namespace

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent)
{
    // A column of readable width in the middle of the page, whatever the window's size.
    auto *outer = new QGridLayout(this);
    outer->setRowStretch(0, 1);
    outer->setRowStretch(2, 2);
    outer->setColumnStretch(0, 1);
    outer->setColumnStretch(1, 4);
    outer->setColumnStretch(2, 1);
    auto *column = new QWidget(this);
    column->setMaximumWidth(640);
    column->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    outer->addWidget(column, 1, 1);
    auto *layout = new QVBoxLayout(column);
    layout->setSpacing(12);

    auto *icon = new QLabel(column);
    icon->setPixmap(QIcon(u":/icons/tdkube.svg"_s).pixmap(96, 96));
    icon->setAlignment(Qt::AlignHCenter);
    layout->addWidget(icon);

    auto *title = new QLabel(tr("No Kubernetes cluster to connect to yet"), column);
    title->setObjectName(u"welcomeTitle"_s);
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.5);
    big.setBold(true);
    title->setFont(big);
    title->setAlignment(Qt::AlignHCenter);
    title->setWordWrap(true);
    layout->addWidget(title);

    m_reason = paragraph({}, column);
    m_reason->setObjectName(u"welcomeReason"_s);
    m_reason->setAlignment(Qt::AlignHCenter);
    m_reason->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_reason);
    layout->addSpacing(8);

    layout->addWidget(paragraph(
        tr("<b>Try tdkube now</b> on the sandbox cluster that comes with it: a small Kubernetes API "
           "server on this computer with a three-dnode TDengine cluster (simulated) already deployed. "
           "Look around, query it, scale it in and out: nothing leaves this computer."),
        column));
    m_try = new QPushButton(QIcon(u":/icons/tdengine.svg"_s), tr("Try the built-in sandbox cluster"), column);
    m_try->setObjectName(u"trySandboxButton"_s);
    m_try->setDefault(true);
    m_try->setIconSize(QSize(20, 20));
    // The one thing to do on this page: it looks like it, in the colour of the icon.
    m_try->setStyleSheet(u"QPushButton { background: #326ce5; color: white; font-weight: bold; border: none;"
                         "  border-radius: 4px; padding: 9px 20px; }"
                         "QPushButton:hover { background: #2858c4; }"
                         "QPushButton:pressed { background: #1f47a0; }"
                         "QPushButton:disabled { background: #9fb5e6; }"_s);
    m_try->setSizePolicy(QSizePolicy::Maximum, QSizePolicy::Fixed);
    connect(m_try, &QPushButton::clicked, this, &WelcomePage::trySandboxRequested);
    layout->addWidget(m_try, 0, Qt::AlignHCenter);
    m_status = paragraph({}, column);
    m_status->setObjectName(u"sandboxStatus"_s);
    m_status->setTextFormat(Qt::PlainText);
    m_status->setAlignment(Qt::AlignHCenter);
    m_status->hide();
    layout->addWidget(m_status);
    m_sandboxNote = paragraph({}, column);
    m_sandboxNote->setAlignment(Qt::AlignHCenter);
    m_sandboxNote->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(m_sandboxNote);
    layout->addSpacing(16);

    layout->addWidget(paragraph(
        tr("<b>Connect to your own cluster</b> the way kubectl does: tdkube reads "
           "<code>~/.kube/config</code>, or the files listed in <code>KUBECONFIG</code>, or the file "
           "given with <code>tdkube --kubeconfig FILE</code>. Every context there appears in the "
           "Context list above; exec plugins (cloud log-ins) work as in kubectl."),
        column));
}

void WelcomePage::setReason(const QString &text)
{
    m_reason->setText(text.toHtmlEscaped());
}

void WelcomePage::setSandboxStateDir(const QString &dir)
{
    m_sandboxNote->setText(
        tr("Its state is kept in %1, so it is the same cluster next time; it stops when tdkube closes.")
            .arg(u"<code>"_s + dir.toHtmlEscaped() + u"</code>"_s));
}

void WelcomePage::showStarting()
{
    m_try->setEnabled(false);
    m_status->setStyleSheet({});
    m_status->setText(tr("Starting the sandbox cluster…"));
    m_status->show();
}

void WelcomePage::showError(const QString &error)
{
    m_try->setEnabled(true);
    m_status->setStyleSheet(u"QLabel { color: #c62828; }"_s);
    m_status->setText(error);
    m_status->show();
}

QString WelcomePage::statusText() const
{
    return m_status->isHidden() ? QString() : m_status->text();
}

} // namespace tdkube::ui
