#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace tdkube::kube {

// A Kubernetes API error as the API server reports it: a `Status` object
// (`{"kind":"Status","status":"Failure","reason":..,"message":..,"code":..}`).
// Every error a person sees is built from `message`, never from a bare HTTP code.
struct ApiStatus
{
    struct Cause
    {
        QString reason;
        QString message;
        QString field;
    };

    int code = 0;        // HTTP status code the server put in the Status (0 when unknown)
    QString reason;      // e.g. NotFound, AlreadyExists, Conflict, Invalid, Forbidden
    QString message;     // the server's own words
    QString detailsName; // details.name
    QString detailsKind; // details.kind
    QList<Cause> causes; // details.causes (Invalid, Conflict from server-side apply)

    bool isValid() const { return !reason.isEmpty() || !message.isEmpty() || code != 0; }

    // Parses a Status object. Returns an invalid ApiStatus when `json` is not a Status.
    static ApiStatus fromJson(const QByteArray &json);

    // A Status for a reply that carried no Status body (a proxy's HTML page, an empty body):
    // keeps the HTTP code and turns it into the reason a person can act on.
    static ApiStatus fromHttp(int httpCode, const QByteArray &body);

    // One paragraph for a person: what failed and why, then what to do.
    QString describe() const;
};

} // namespace tdkube::kube
