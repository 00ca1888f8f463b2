#pragma once

#include "certs.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <functional>

namespace tdkube::sandbox {

class HttpExchange;
class Store;
struct ResourceType;

// Who a request comes from. Client certificates map CN to the user and O to groups, as Kubernetes
// does; tokens map to users the sandbox made.
struct User
{
    QString name;
    QStringList groups;
    bool readOnly = false;
    // Resources (plurals, "configmaps") it may read but not write: what a Role that grants every verb
    // on the rest, and only get/list/watch on these, gives.
    QStringList readOnlyResources;
};

// The Kubernetes API on top of the store: authentication and authorization, discovery, OpenAPI,
// list/get/create/update/patch/delete/deletecollection, watches, the scale and status subresources,
// server-side apply, Tables for kubectl, and the sandbox's own control endpoint (/sandbox/v1).
class ApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiServer)

public:
    ApiServer(Store *store, const CertificateAuthority *ca, QObject *parent = nullptr);
    ~ApiServer() override;

    void addToken(const QString &token, const User &user) { m_tokens.insert(token, user); }
    void setServerAddress(const QString &address) { m_serverAddress = address; }
    // Scales the sandbox's own intervals (watch bookmarks).
    void setTimeScale(double scale) { m_timeScale = scale; }
    // Hooks for subresources handled elsewhere (pods/log, exec, portforward, proxy) and for the control
    // endpoint's actions on the controller. Return false when not handled.
    struct SubresourceRequest
    {
        const ResourceType *type = nullptr;
        QString ns;
        QString name;        // as in the path: for proxy it may carry a port ("tdengine-0:6041")
        QString subresource; // log, exec, portforward, proxy
        QStringList rest;    // the path after the subresource (proxy)
    };
    using ExtraHandler = std::function<bool(HttpExchange *, const User &, const SubresourceRequest &)>;
    void setExtraHandler(ExtraHandler handler) { m_extraHandler = std::move(handler); }
    using ControlHandler =
        std::function<bool(HttpExchange *, const QStringList &path, const QJsonObject &body)>;
    void setControlHandler(ControlHandler handler) { m_controlHandler = std::move(handler); }

    void handle(HttpExchange *exchange);

    // Faults tests inject.
    void failNextRequests(int count, int code)
    {
        m_failCount = count;
        m_failCode = code;
    }
    void setResponseDelay(int milliseconds) { m_delayMs = milliseconds; }

signals:
    // Every watch stream listens to this: the control endpoint uses it to cut them all.
    void dropWatchStreams();
    // A fault for what runs in the pods (the body of POST /sandbox/v1/faults); the sandbox hands it on.
    void podFaults(const QJsonObject &body);

private:
    struct Route;
    void dispatch(HttpExchange *exchange, const User &user);
    bool authenticate(HttpExchange *exchange, User *user) const;
    void serveDiscovery(HttpExchange *exchange, const QStringList &parts);
    void serveResource(HttpExchange *exchange, const User &user, const Route &route);
    void serveControl(HttpExchange *exchange, const QStringList &parts);

    void list(HttpExchange *exchange, const Route &route);
    void watch(HttpExchange *exchange, const Route &route);
    void getOne(HttpExchange *exchange, const Route &route);
    void create(HttpExchange *exchange, const User &user, const Route &route);
    void replace(HttpExchange *exchange, const User &user, const Route &route);
    void patch(HttpExchange *exchange, const User &user, const Route &route);
    void removeOne(HttpExchange *exchange, const Route &route);
    void removeCollection(HttpExchange *exchange, const Route &route);
    // Runs defaults, validation, field management and the store write shared by create/update/patch.
    void commit(HttpExchange *exchange, const User &user, const Route &route, const QJsonObject *current,
                QJsonObject object, bool applied);

    Store *m_store;
    const CertificateAuthority *m_ca;
    QHash<QString, User> m_tokens;
    QString m_serverAddress;
    double m_timeScale = 1.0;
    ExtraHandler m_extraHandler;
    ControlHandler m_controlHandler;
    int m_failCount = 0;
    int m_failCode = 500;
    int m_delayMs = 0;
    quint32 m_nextClusterIp = 10;
};

} // namespace tdkube::sandbox
