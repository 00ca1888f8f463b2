#pragma once

#include <QPlainTextEdit>

namespace tdkube::ui {

// A unified diff, read-only, in a fixed-width font: added lines green, removed lines red, hunk
// headers blue. Shows `emptyText` when the diff is empty.
class DiffView final : public QPlainTextEdit
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiffView)

public:
    explicit DiffView(QWidget *parent = nullptr);
    ~DiffView() override;

    void setDiff(const QString &diff, const QString &emptyText = {});
    QString diff() const { return m_diff; }

private:
    QString m_diff;
};

} // namespace tdkube::ui
