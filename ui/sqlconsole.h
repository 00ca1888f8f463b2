#pragma once

#include "taos/restclient.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace tdkube::ui {

class ResultModel;

// SQL against one TDengine cluster: an editor with highlighting, Run (the selection, else the
// statement under the cursor), Cancel, the history of this cluster's statements (kept in the
// settings, except statements that carry a password), the result in a sortable grid that fetches
// rows as it scrolls, the row count and server time, TDengine's errors with code and words, copy
// and CSV export.
class SqlConsole final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SqlConsole)

public:
    explicit SqlConsole(QWidget *parent = nullptr);
    ~SqlConsole() override;

    // `client` may be null (not connected yet); `cluster` keys the history.
    void setClient(taos::RestClient *client, const QString &cluster);
    taos::RestClient *client() const { return m_client; }

    QPlainTextEdit *editor() const { return m_editor; }
    ResultModel *resultModel() const { return m_model; }
    QTableView *grid() const { return m_grid; }
    QString statusText() const;
    QStringList history() const { return m_history; }
    bool isRunning() const { return m_running.isRunning(); }

    // The statement to run: the selection, else the ';'-separated statement around the cursor.
    QString currentStatement() const;
    void run(const QString &sql);
    void runCurrent() { run(currentStatement()); }
    void cancel();
    bool exportCsv(const QString &path, QString *error) const;

private:
    void remember(const QString &sql);
    void setStatus(const QString &text, bool error = false);

    QPointer<taos::RestClient> m_client;
    QString m_cluster;
    QPlainTextEdit *m_editor = nullptr;
    QComboBox *m_historyBox = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QLabel *m_status = nullptr;
    QTableView *m_grid = nullptr;
    ResultModel *m_model = nullptr;
    QStringList m_history;
    taos::QueryHandle m_running;
};

} // namespace tdkube::ui
