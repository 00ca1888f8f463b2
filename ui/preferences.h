#pragma once

#include <QSettings>
#include <QString>
#include <QVariant>

namespace tdkube::ui {

// One typed setting: a key and its default, read and written through QSettings (the
// application's organization and name). Secrets never go here.
template<typename T> class Preference
{
public:
    Preference(QString key, T fallback = T())
        : m_key(std::move(key))
        , m_fallback(std::move(fallback))
    {
    }

    T get() const
    {
        const QVariant value = QSettings().value(m_key);
        return value.isValid() && value.canConvert<T>() ? value.value<T>() : m_fallback;
    }
    void set(const T &value) const { QSettings().setValue(m_key, QVariant::fromValue(value)); }
    bool isSet() const { return QSettings().contains(m_key); }
    QString key() const { return m_key; }

private:
    QString m_key;
    T m_fallback;
};

namespace preferences {

// The context last opened; the namespace last opened in a context ("" = all namespaces).
inline Preference<QString> lastContext()
{
    return {QStringLiteral("connection/context")};
}
inline Preference<QString> lastNamespace(const QString &context)
{
    return {QStringLiteral("connection/namespaces/") +
            QString::fromLatin1(context.toUtf8().toBase64(QByteArray::Base64UrlEncoding))};
}
inline Preference<QByteArray> windowGeometry()
{
    return {QStringLiteral("window/geometry")};
}
inline Preference<QByteArray> windowState()
{
    return {QStringLiteral("window/state")};
}

} // namespace preferences

} // namespace tdkube::ui
