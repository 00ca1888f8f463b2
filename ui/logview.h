#pragma once

#include "kube/kubeclient.h"

#include <QJsonObject>
#include <QPointer>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

namespace tdkube::ui {

// A pod's logs as `kubectl logs` gives them: a container, the last N lines, with timestamps or
// not, the previous run's; followed live when asked. Search highlights and steps through matches;
// Save writes what is shown to a file. Restarting the stream (any option changed) replaces the text.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)

public:
    explicit LogView(QWidget *parent = nullptr);
    ~LogView() override;

    // Shows `pod`'s logs through `client` (null: nothing). Keeps the options; picks the first container.
    void setPod(kube::KubeClient *client, const QJsonObject &pod);
    QString text() const;
    QString status() const;
    // Finds the next (or previous) match of the search text; false when there is none.
    bool findNext(bool backwards = false);
    bool saveTo(const QString &path, QString *error) const;

private:
    void restart();
    void append(const QByteArray &chunk);
    void setStatus(const QString &text);
    void highlightMatches();

    QPointer<kube::KubeClient> m_client;
    QJsonObject m_pod;
    QComboBox *m_container = nullptr;
    QCheckBox *m_follow = nullptr;
    QSpinBox *m_tail = nullptr;
    QCheckBox *m_timestamps = nullptr;
    QCheckBox *m_previous = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_status = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPointer<kube::KubeStream> m_stream;
    QByteArray m_partial; // the last line, until its newline arrives
};

} // namespace tdkube::ui
