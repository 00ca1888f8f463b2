#include "protobuf.h"

#include <QJsonArray>

#include <optional>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

// One field as it appears on the wire.
struct Field
{
    quint32 number = 0;
    quint32 wireType = 0;
    quint64 varint = 0;
    QByteArray bytes;
};

class Reader
{
public:
    explicit Reader(QByteArray data)
        : m_data(std::move(data))
    {
    }

    bool atEnd() const { return m_pos >= m_data.size(); }

    std::optional<Field> next()
    {
        const std::optional<quint64> key = varint();
        if (!key)
            return std::nullopt;
        Field field;
        field.number = quint32(*key >> 3);
        field.wireType = quint32(*key & 7);
        switch (field.wireType) {
        case 0: {
            const std::optional<quint64> value = varint();
            if (!value)
                return std::nullopt;
            field.varint = *value;
            return field;
        }
        case 2: {
            const std::optional<quint64> length = varint();
            if (!length || *length > quint64(m_data.size() - m_pos))
                return std::nullopt;
            field.bytes = m_data.mid(m_pos, qsizetype(*length));
            m_pos += qsizetype(*length);
            return field;
        }
        case 1:
            return skip(field, 8);
        case 5:
            return skip(field, 4);
        default:
            return std::nullopt;
        }
    }

private:
    std::optional<Field> skip(Field field, qsizetype size)
    {
        if (m_data.size() - m_pos < size)
            return std::nullopt;
        m_pos += size;
        return field;
    }

    std::optional<quint64> varint()
    {
        quint64 value = 0;
        for (int shift = 0; shift < 64 && m_pos < m_data.size(); shift += 7) {
            const auto byte = quint8(m_data.at(m_pos++));
            value |= quint64(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return value;
        }
        return std::nullopt;
    }

    QByteArray m_data;
    qsizetype m_pos = 0;
};

// Reads every field of a message; false when the bytes are not a valid message.
bool readAll(const QByteArray &data, QList<Field> *fields)
{
    Reader reader(data);
    while (!reader.atEnd()) {
        const std::optional<Field> field = reader.next();
        if (!field)
            return false;
        fields->append(*field);
    }
    return true;
}

// A map<string,string|bytes> entry: key = 1, value = 2.
bool readMapEntry(const QByteArray &entry, QString *key, QByteArray *value)
{
    QList<Field> fields;
    if (!readAll(entry, &fields))
        return false;
    for (const Field &field : std::as_const(fields)) {
        if (field.number == 1)
            *key = QString::fromUtf8(field.bytes);
        else if (field.number == 2)
            *value = field.bytes;
    }
    return true;
}

bool insertMapEntry(QJsonObject &map, const QByteArray &entry, bool base64)
{
    QString key;
    QByteArray value;
    if (!readMapEntry(entry, &key, &value))
        return false;
    map.insert(key, base64 ? QString::fromLatin1(value.toBase64()) : QString::fromUtf8(value));
    return true;
}

// k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta, the fields a client sets on create.
bool decodeObjectMeta(const QByteArray &data, QJsonObject *metadata)
{
    QList<Field> fields;
    if (!readAll(data, &fields))
        return false;
    QJsonObject labels;
    QJsonObject annotations;
    QJsonArray finalizers;
    for (const Field &field : std::as_const(fields)) {
        switch (field.number) {
        case 1:
            metadata->insert(u"name"_s, QString::fromUtf8(field.bytes));
            break;
        case 2:
            metadata->insert(u"generateName"_s, QString::fromUtf8(field.bytes));
            break;
        case 3:
            metadata->insert(u"namespace"_s, QString::fromUtf8(field.bytes));
            break;
        case 6:
            metadata->insert(u"resourceVersion"_s, QString::fromUtf8(field.bytes));
            break;
        case 11:
            if (!insertMapEntry(labels, field.bytes, false))
                return false;
            break;
        case 12:
            if (!insertMapEntry(annotations, field.bytes, false))
                return false;
            break;
        case 14:
            finalizers.append(QString::fromUtf8(field.bytes));
            break;
        default:
            break; // server-owned fields (uid, timestamps, managedFields) are not taken from clients
        }
    }
    if (!labels.isEmpty())
        metadata->insert(u"labels"_s, labels);
    if (!annotations.isEmpty())
        metadata->insert(u"annotations"_s, annotations);
    if (!finalizers.isEmpty())
        metadata->insert(u"finalizers"_s, finalizers);
    return true;
}

bool decodeNamespace(const QList<Field> &fields, QJsonObject *object)
{
    for (const Field &field : fields) {
        if (field.number == 2) {
            QList<Field> spec;
            if (!readAll(field.bytes, &spec))
                return false;
            QJsonArray finalizers;
            for (const Field &finalizer : std::as_const(spec)) {
                if (finalizer.number == 1)
                    finalizers.append(QString::fromUtf8(finalizer.bytes));
            }
            object->insert(u"spec"_s, QJsonObject{{u"finalizers"_s, finalizers}});
        }
    }
    return true;
}

bool decodeConfigMap(const QList<Field> &fields, QJsonObject *object)
{
    QJsonObject data;
    QJsonObject binaryData;
    for (const Field &field : fields) {
        if (field.number == 2 && !insertMapEntry(data, field.bytes, false))
            return false;
        if (field.number == 3 && !insertMapEntry(binaryData, field.bytes, true))
            return false;
        if (field.number == 4)
            object->insert(u"immutable"_s, field.varint != 0);
    }
    if (!data.isEmpty())
        object->insert(u"data"_s, data);
    if (!binaryData.isEmpty())
        object->insert(u"binaryData"_s, binaryData);
    return true;
}

} // namespace

bool decodeKubernetesProtobuf(const QByteArray &body, QJsonObject *object, QString *error)
{
    static const QByteArray magic("k8s\0", 4);
    if (!body.startsWith(magic)) {
        *error = u"the protobuf body does not start with the Kubernetes magic prefix"_s;
        return false;
    }
    QList<Field> envelope;
    if (!readAll(body.mid(magic.size()), &envelope)) {
        *error = u"the protobuf envelope (runtime.Unknown) is malformed"_s;
        return false;
    }
    QString apiVersion;
    QString kind;
    QByteArray raw;
    for (const Field &field : std::as_const(envelope)) {
        if (field.number == 1) {
            QList<Field> typeMeta;
            readAll(field.bytes, &typeMeta);
            for (const Field &t : std::as_const(typeMeta)) {
                if (t.number == 1)
                    apiVersion = QString::fromUtf8(t.bytes);
                else if (t.number == 2)
                    kind = QString::fromUtf8(t.bytes);
            }
        } else if (field.number == 2) {
            raw = field.bytes;
        }
    }
    QList<Field> fields;
    if (!readAll(raw, &fields)) {
        *error = u"the protobuf message of the "_s + kind + u" is malformed"_s;
        return false;
    }
    QJsonObject result{{u"apiVersion"_s, apiVersion}, {u"kind"_s, kind}};
    QJsonObject metadata;
    for (const Field &field : std::as_const(fields)) {
        if (field.number == 1 && !decodeObjectMeta(field.bytes, &metadata)) {
            *error = u"the protobuf metadata of the "_s + kind + u" is malformed"_s;
            return false;
        }
    }
    result.insert(u"metadata"_s, metadata);
    bool decoded = false;
    if (apiVersion == u"v1" && kind == u"Namespace")
        decoded = decodeNamespace(fields, &result);
    else if (apiVersion == u"v1" && kind == u"ConfigMap")
        decoded = decodeConfigMap(fields, &result);
    else {
        *error = u"the sandbox decodes protobuf only for Namespace and ConfigMap, not "_s + apiVersion +
                 u' ' + kind + u"; send JSON instead"_s;
        return false;
    }
    if (!decoded) {
        *error = u"the protobuf message of the "_s + kind + u" is malformed"_s;
        return false;
    }
    *object = result;
    return true;
}

} // namespace tdkube::sandbox
