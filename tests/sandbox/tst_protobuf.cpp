#include "protobuf.h"

#include <QJsonArray>
#include <QTest>

using tdkube::sandbox::decodeKubernetesProtobuf;

namespace {

// A minimal protobuf writer, independent of the decoder under test.
QByteArray varint(quint64 value)
{
    QByteArray out;
    do {
        quint8 byte = value & 0x7f;
        value >>= 7;
        if (value)
            byte |= 0x80;
        out.append(char(byte));
    } while (value);
    return out;
}

QByteArray bytesField(quint32 number, const QByteArray &payload)
{
    return varint((quint64(number) << 3) | 2) + varint(quint64(payload.size())) + payload;
}

QByteArray boolField(quint32 number, bool value)
{
    return varint(quint64(number) << 3) + varint(value ? 1 : 0);
}

QByteArray mapEntry(quint32 number, const QByteArray &key, const QByteArray &value)
{
    return bytesField(number, bytesField(1, key) + bytesField(2, value));
}

QByteArray envelope(const QByteArray &apiVersion, const QByteArray &kind, const QByteArray &raw)
{
    const QByteArray typeMeta = bytesField(1, apiVersion) + bytesField(2, kind);
    return QByteArray("k8s\0", 4) + bytesField(1, typeMeta) + bytesField(2, raw) + bytesField(3, "") +
           bytesField(4, "");
}

} // namespace

class TestProtobuf final : public QObject
{
    Q_OBJECT

private slots:
    void namespace_asKubectlCreateSendsIt_decodesNameLabelsAndSpec()
    {
        const QByteArray metadata = bytesField(1, "tdengine-test") + mapEntry(11, "team", "dba");
        const QByteArray spec = bytesField(1, "kubernetes");
        QJsonObject object;
        QString error;
        QVERIFY2(
            decodeKubernetesProtobuf(
                envelope("v1", "Namespace", bytesField(1, metadata) + bytesField(2, spec)), &object, &error),
            qPrintable(error));
        QCOMPARE(object.value(u"kind").toString(), QStringLiteral("Namespace"));
        QCOMPARE(object.value(u"metadata").toObject().value(u"name").toString(),
                 QStringLiteral("tdengine-test"));
        QCOMPARE(object.value(u"metadata").toObject().value(u"labels").toObject().value(u"team").toString(),
                 QStringLiteral("dba"));
        QCOMPARE(object.value(u"spec").toObject().value(u"finalizers").toArray().first().toString(),
                 QStringLiteral("kubernetes"));
    }

    void configMap_withDataBinaryDataAndImmutable_decodesAll()
    {
        const QByteArray metadata = bytesField(1, "taoscfg") + bytesField(3, "td");
        const QByteArray raw = bytesField(1, metadata) + mapEntry(2, "TAOS_SUPPORT_VNODES", "16") +
                               mapEntry(3, "blob", QByteArray("\x00\x01", 2)) + boolField(4, true);
        QJsonObject object;
        QString error;
        QVERIFY2(decodeKubernetesProtobuf(envelope("v1", "ConfigMap", raw), &object, &error),
                 qPrintable(error));
        QCOMPARE(object.value(u"metadata").toObject().value(u"namespace").toString(), QStringLiteral("td"));
        QCOMPARE(object.value(u"data").toObject().value(u"TAOS_SUPPORT_VNODES").toString(),
                 QStringLiteral("16"));
        QCOMPARE(object.value(u"binaryData").toObject().value(u"blob").toString(), QStringLiteral("AAE="));
        QCOMPARE(object.value(u"immutable").toBool(), true);
    }

    void body_withoutMagic_isRefusedWithReason()
    {
        QJsonObject object;
        QString error;
        QVERIFY(!decodeKubernetesProtobuf("{\"kind\":\"Namespace\"}", &object, &error));
        QVERIFY(error.contains(u"magic"));
    }

    void body_truncated_isRefused()
    {
        QByteArray body = envelope("v1", "Namespace", bytesField(1, bytesField(1, "x")));
        body.chop(5);
        QJsonObject object;
        QString error;
        QVERIFY(!decodeKubernetesProtobuf(body, &object, &error));
        QVERIFY(!error.isEmpty());
    }

    void unsupportedKind_saysToSendJson()
    {
        QJsonObject object;
        QString error;
        QVERIFY(!decodeKubernetesProtobuf(envelope("v1", "Secret", bytesField(1, bytesField(1, "s"))),
                                          &object, &error));
        QVERIFY(error.contains(u"send JSON"));
    }
};

QTEST_APPLESS_MAIN(TestProtobuf)
#include "tst_protobuf.moc"
