#include "mainwindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QVBoxLayout>

namespace tdkube::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("tdkube"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/tdkube.svg")));
    resize(1100, 700);

    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_placeholder = new QLabel(tr("<h2>No cluster connected</h2>"
                                  "<p>tdkube will show your TDengine clusters, their pods, volumes and "
                                  "dnodes here.</p>"),
                               central);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setObjectName(QStringLiteral("placeholder"));
    layout->addWidget(m_placeholder);
    setCentralWidget(central);

    m_connection = new QLabel(tr("Not connected"), this);
    m_connection->setObjectName(QStringLiteral("connectionHint"));
    statusBar()->addPermanentWidget(m_connection);
}

MainWindow::~MainWindow() = default;

void MainWindow::setConnectionHint(const QString &hint)
{
    m_connection->setText(hint);
}

} // namespace tdkube::ui
