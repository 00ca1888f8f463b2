#include "kube/apistatus.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using tdkube::kube::ApiStatus;

class TestApiStatus final : public QObject
{
    Q_OBJECT

private slots:
    void fromJson_forbidden_keepsServerMessage()
    {
        const QString message = QStringLiteral(
            "statefulsets.apps \"tdengine\" is forbidden: User \"sandbox-viewer\" cannot patch resource "
            "\"statefulsets/scale\" in API group \"apps\" in the namespace \"default\"");
        const QJsonObject details{{QStringLiteral("name"), QStringLiteral("tdengine")},
                                  {QStringLiteral("group"), QStringLiteral("apps")},
                                  {QStringLiteral("kind"), QStringLiteral("statefulsets")}};
        const QJsonObject statusObject{{QStringLiteral("kind"), QStringLiteral("Status")},
                                       {QStringLiteral("apiVersion"), QStringLiteral("v1")},
                                       {QStringLiteral("status"), QStringLiteral("Failure")},
                                       {QStringLiteral("message"), message},
                                       {QStringLiteral("reason"), QStringLiteral("Forbidden")},
                                       {QStringLiteral("details"), details},
                                       {QStringLiteral("code"), 403}};
        const QByteArray body = QJsonDocument(statusObject).toJson();
        const ApiStatus status = ApiStatus::fromJson(body);
        QVERIFY(status.isValid());
        QCOMPARE(status.code, 403);
        QCOMPARE(status.reason, QStringLiteral("Forbidden"));
        QCOMPARE(status.detailsName, QStringLiteral("tdengine"));
        QVERIFY(status.describe().contains(u"cannot patch resource \"statefulsets/scale\""));
        QVERIFY(status.describe().contains(u"permission"));
    }

    void fromJson_invalid_listsCauses()
    {
        const QByteArray body = R"({"kind":"Status","status":"Failure","reason":"Invalid","code":422,
            "message":"StatefulSet.apps x is invalid","details":{"causes":[
            {"reason":"FieldValueRequired","message":"Required value","field":"spec.selector"}]}})";
        const ApiStatus status = ApiStatus::fromJson(body);
        QCOMPARE(status.causes.size(), 1);
        QCOMPARE(status.causes.first().field, QStringLiteral("spec.selector"));
        QVERIFY(status.describe().contains(u"spec.selector: Required value"));
    }

    void fromJson_notAStatus_isInvalid()
    {
        QVERIFY(!ApiStatus::fromJson(R"({"kind":"Pod"})").isValid());
        QVERIFY(!ApiStatus::fromJson("not json").isValid());
    }

    void fromHttp_htmlBody_explainsCode()
    {
        const ApiStatus status = ApiStatus::fromHttp(503, "<html>bad gateway</html>");
        QCOMPARE(status.reason, QStringLiteral("ServiceUnavailable"));
        QVERIFY(status.message.contains(u"HTTP 503"));
    }
};

QTEST_APPLESS_MAIN(TestApiStatus)
#include "tst_apistatus.moc"
