// unifiedDiff/diffLines against diff(1)'s output for small texts, and comparable().
#include "deploy/diff.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tdkube::deploy;

namespace {

QString numbered(int from, int to)
{
    QString text;
    for (int i = from; i <= to; ++i)
        text += u"line %1\n"_s.arg(i);
    return text;
}

// "-a" / "+b" / " c" for each DiffLine, to compare whole sequences.
QStringList signs(const QList<DiffLine> &lines)
{
    QStringList out;
    for (const DiffLine &line : lines) {
        const QChar sign = line.kind == DiffLine::Same ? u' ' : line.kind == DiffLine::Added ? u'+' : u'-';
        out << sign + line.text;
    }
    return out;
}

} // namespace

class tst_Diff : public QObject
{
    Q_OBJECT

private slots:
    void unifiedDiff_texts_asDiffPrintsThem_data();
    void unifiedDiff_texts_asDiffPrintsThem();
    void diffLines_change_removedThenAddedWithLineNumbers();
    void diffLines_equal_allSame();
    void diffLines_largeTexts_minimalEdit();
    void diffLines_randomTexts_minimalAndRebuildsBothSides();
    void comparable_serverFields_dropped();
};

void tst_Diff::unifiedDiff_texts_asDiffPrintsThem_data()
{
    QTest::addColumn<QString>("before");
    QTest::addColumn<QString>("after");
    QTest::addColumn<int>("context");
    QTest::addColumn<QString>("expected");

    QTest::newRow("no change") << u"a\nb\n"_s << u"a\nb\n"_s << 3 << QString();
    QTest::newRow("insertion") << u"a\nb\nc\n"_s << u"a\nb\nnew\nc\n"_s << 3
                               << u"--- before\n+++ after\n@@ -1,3 +1,4 @@\n a\n b\n+new\n c\n"_s;
    QTest::newRow("deletion") << numbered(1, 10) << numbered(1, 4) + numbered(6, 10) << 3
                              << u"--- before\n+++ after\n@@ -2,7 +2,6 @@\n line 2\n line 3\n line 4\n"
                                 u"-line 5\n line 6\n line 7\n line 8\n"_s;
    QTest::newRow("change") << u"replicas: 3\n"_s << u"replicas: 4\n"_s << 3
                            << u"--- before\n+++ after\n@@ -1 +1 @@\n-replicas: 3\n+replicas: 4\n"_s;
    QTest::newRow("from nothing") << QString() << u"a\nb\n"_s << 3
                                  << u"--- before\n+++ after\n@@ -0,0 +1,2 @@\n+a\n+b\n"_s;
    QTest::newRow("to nothing") << u"a\n"_s << QString() << 3
                                << u"--- before\n+++ after\n@@ -1 +0,0 @@\n-a\n"_s;
    QTest::newRow("insertion without context")
        << u"a\nb\n"_s << u"a\nx\nb\n"_s << 0 << u"--- before\n+++ after\n@@ -1,0 +2 @@\n+x\n"_s;
    // Changes at lines 3 and 9: 5 unchanged lines between them <= 2 * 3, so one hunk.
    QString near = numbered(1, 12);
    near.replace(u"line 3\n"_s, u"three\n"_s).replace(u"line 9\n"_s, u"nine\n"_s);
    QTest::newRow("nearby hunks merge")
        << numbered(1, 12) << near << 3
        << u"--- before\n+++ after\n@@ -1,12 +1,12 @@\n line 1\n line 2\n-line 3\n+three\n line 4\n line 5\n"
           u" line 6\n line 7\n line 8\n-line 9\n+nine\n line 10\n line 11\n line 12\n"_s;
    // Changes at lines 2 and 11: 8 unchanged lines between them > 2 * 3, so two hunks.
    QString far = numbered(1, 14);
    far.replace(u"line 2\n"_s, u"two\n"_s).replace(u"line 11\n"_s, u"eleven\n"_s);
    QTest::newRow("distant hunks stay apart")
        << numbered(1, 14) << far << 3
        << u"--- before\n+++ after\n@@ -1,5 +1,5 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n"
           u"@@ -8,7 +8,7 @@\n line 8\n line 9\n line 10\n-line 11\n+eleven\n line 12\n line 13\n line 14\n"_s;
    QTest::newRow("newline added at end")
        << u"a\nb"_s << u"a\nb\n"_s << 3
        << u"--- before\n+++ after\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"_s;
    QTest::newRow("both without newline at end")
        << u"a\nb"_s << u"a\nc"_s << 3
        << u"--- before\n+++ after\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
           u"\\ No newline at end of file\n"_s;
}

void tst_Diff::unifiedDiff_texts_asDiffPrintsThem()
{
    QFETCH(QString, before);
    QFETCH(QString, after);
    QFETCH(int, context);
    QFETCH(QString, expected);
    QCOMPARE(unifiedDiff(before, after, u"before"_s, u"after"_s, context), expected);
}

void tst_Diff::diffLines_change_removedThenAddedWithLineNumbers()
{
    const QList<DiffLine> lines = diffLines(u"a\nold\nc\n"_s, u"a\nnew\nc\nd\n"_s);
    QCOMPARE(signs(lines), (QStringList{u" a"_s, u"-old"_s, u"+new"_s, u" c"_s, u"+d"_s}));
    QCOMPARE(lines.at(1).beforeLine, 2);
    QCOMPARE(lines.at(1).afterLine, 0);
    QCOMPARE(lines.at(2).beforeLine, 0);
    QCOMPARE(lines.at(2).afterLine, 2);
    QCOMPARE(lines.at(3).beforeLine, 3);
    QCOMPARE(lines.at(3).afterLine, 3);
    QCOMPARE(lines.at(4).afterLine, 4);
}

void tst_Diff::diffLines_equal_allSame()
{
    const QList<DiffLine> lines = diffLines(numbered(1, 5), numbered(1, 5));
    QCOMPARE(lines.size(), 5);
    for (const DiffLine &line : lines)
        QCOMPARE(line.kind, DiffLine::Same);
    QVERIFY(diffLines({}, {}).isEmpty());
}

void tst_Diff::diffLines_largeTexts_minimalEdit()
{
    // 10,000 lines with every 100th changed, and 10,000 lines with nothing in common: both finish
    // (no timing asserted here; tests/bench is for figures) with the minimal number of edits.
    const QString before = numbered(1, 10000);
    QString after;
    for (int i = 1; i <= 10000; ++i)
        after += i % 100 == 0 ? u"changed %1\n"_s.arg(i) : u"line %1\n"_s.arg(i);
    const QList<DiffLine> lines = diffLines(before, after);
    qsizetype added = 0, removed = 0;
    for (const DiffLine &line : lines) {
        added += line.kind == DiffLine::Added;
        removed += line.kind == DiffLine::Removed;
    }
    QCOMPARE(added, 100);
    QCOMPARE(removed, 100);

    QString other;
    for (int i = 1; i <= 10000; ++i)
        other += u"other %1\n"_s.arg(i);
    const QList<DiffLine> disjoint = diffLines(before, other);
    QCOMPARE(disjoint.size(), 20000);
    QCOMPARE(disjoint.first().kind, DiffLine::Removed);
    QCOMPARE(disjoint.last().kind, DiffLine::Added);
}

void tst_Diff::diffLines_randomTexts_minimalAndRebuildsBothSides()
{
    // Few distinct lines, so that many edit scripts tie: the one found must still be shortest
    // (as many unchanged lines as a longest common subsequence has) and give back both texts.
    QRandomGenerator random(20261128);
    for (int round = 0; round < 500; ++round) {
        QStringList a, b;
        for (int i = int(random.bounded(25)); i > 0; --i)
            a << QString(QChar(u'a' + random.bounded(3)));
        for (int i = int(random.bounded(25)); i > 0; --i)
            b << QString(QChar(u'a' + random.bounded(3)));
        std::vector<std::vector<int>> lcs(size_t(a.size() + 1), std::vector<int>(size_t(b.size() + 1), 0));
        for (qsizetype i = a.size() - 1; i >= 0; --i) {
            for (qsizetype j = b.size() - 1; j >= 0; --j) {
                lcs[size_t(i)][size_t(j)] = a.at(i) == b.at(j) ? lcs[size_t(i + 1)][size_t(j + 1)] + 1
                                                               : std::max(lcs[size_t(i + 1)][size_t(j)],
                                                                          lcs[size_t(i)][size_t(j + 1)]);
            }
        }
        const auto text = [](const QStringList &lines) {
            return lines.isEmpty() ? QString() : lines.join(u'\n') + u'\n';
        };
        const QList<DiffLine> lines = diffLines(text(a), text(b));
        QStringList before, after;
        int same = 0;
        for (const DiffLine &line : lines) {
            if (line.kind != DiffLine::Added)
                before << line.text;
            if (line.kind != DiffLine::Removed)
                after << line.text;
            same += line.kind == DiffLine::Same;
        }
        QCOMPARE(before, a);
        QCOMPARE(after, b);
        QCOMPARE(same, lcs[0][0]);
    }
}

void tst_Diff::comparable_serverFields_dropped()
{
    const QJsonObject live{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s,
         QJsonObject{
             {u"name"_s, u"cfg"_s},
             {u"namespace"_s, u"db"_s},
             {u"labels"_s, QJsonObject{{u"app"_s, u"tdengine"_s}}},
             {u"annotations"_s, QJsonObject{{u"kubectl.kubernetes.io/last-applied-configuration"_s, u"{}"_s},
                                            {u"note"_s, u"kept"_s}}},
             {u"managedFields"_s, QJsonArray{QJsonObject{{u"manager"_s, u"tdkube"_s}}}},
             {u"resourceVersion"_s, u"42"_s},
             {u"uid"_s, u"1234"_s},
             {u"creationTimestamp"_s, u"2026-01-01T00:00:00Z"_s},
             {u"generation"_s, 3},
             {u"selfLink"_s, u"/api/v1/namespaces/db/configmaps/cfg"_s}}},
        {u"data"_s, QJsonObject{{u"key"_s, u"value"_s}}},
        {u"status"_s, QJsonObject{{u"phase"_s, u"Active"_s}}}};
    const QJsonObject expected{
        {u"apiVersion"_s, u"v1"_s},
        {u"kind"_s, u"ConfigMap"_s},
        {u"metadata"_s, QJsonObject{{u"name"_s, u"cfg"_s},
                                    {u"namespace"_s, u"db"_s},
                                    {u"labels"_s, QJsonObject{{u"app"_s, u"tdengine"_s}}},
                                    {u"annotations"_s, QJsonObject{{u"note"_s, u"kept"_s}}}}},
        {u"data"_s, QJsonObject{{u"key"_s, u"value"_s}}}};
    QCOMPARE(comparable(live), expected);

    QJsonObject onlyLastApplied = live;
    QJsonObject metadata = live.value(u"metadata").toObject();
    metadata.insert(u"annotations"_s,
                    QJsonObject{{u"kubectl.kubernetes.io/last-applied-configuration"_s, u"{}"_s}});
    onlyLastApplied.insert(u"metadata"_s, metadata);
    QVERIFY(!comparable(onlyLastApplied).value(u"metadata").toObject().contains(u"annotations"));
}

QTEST_GUILESS_MAIN(tst_Diff)
#include "tst_diff.moc"
