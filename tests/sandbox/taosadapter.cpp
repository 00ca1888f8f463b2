#include "taosadapter.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <csignal>

namespace tdkube::sandbox {

using namespace Qt::StringLiterals;

namespace {

const QList<std::pair<QByteArray, QByteArray>> kJson{{"Content-Type", "application/json; charset=utf-8"}};

PodRuntime::HttpReply plain(int status, const QByteArray &text)
{
    return {status, {{"Content-Type", "text/plain"}}, text};
}

// taosAdapter's error answer (controller/rest/error_resp.go): {"code":CODE,"desc":"TEXT"}.
PodRuntime::HttpReply error(int status, int code, const QString &desc)
{
    return {status, kJson,
            QJsonDocument(QJsonObject{{u"code"_s, code}, {u"desc"_s, desc}}).toJson(QJsonDocument::Compact)};
}

} // namespace

void killProcessGroup(QProcess *process)
{
    if (process->processId() > 0)
        ::kill(-pid_t(process->processId()), SIGKILL);
    process->kill();
}

TaosAdapter::TaosAdapter(QProcess *process, QObject *parent)
    : QObject(parent)
    , m_process(process)
{
    m_process->setParent(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &TaosAdapter::readAnswers);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        const QString text = QString::fromUtf8(m_process->readAllStandardError()).trimmed();
        if (!text.isEmpty())
            emit logLine(u"taosadapter: "_s + text);
    });
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (!m_running)
            return;
        m_running = false;
        // Not restarted, as the image's entrypoint does not restart taosAdapter: 6041 is closed.
        emit logLine(status == QProcess::CrashExit
                         ? u"taosadapter (tdkube-taosbridge) crashed"_s
                         : u"taosadapter (tdkube-taosbridge) exited with code "_s + QString::number(code));
        failCalls();
    });
}

TaosAdapter::~TaosAdapter()
{
    stop(true);
}

QString TaosAdapter::program()
{
#ifdef TDKUBE_TAOSBRIDGE_PATH
    if (QFileInfo::exists(QStringLiteral(TDKUBE_TAOSBRIDGE_PATH)))
        return QStringLiteral(TDKUBE_TAOSBRIDGE_PATH);
#endif
    return QCoreApplication::applicationDirPath() + u"/tdkube-taosbridge"_s;
}

void TaosAdapter::start(const QString &libtaos, const QString &configDir)
{
    m_running = true;
    m_process->start(program(), {libtaos, configDir});
}

void TaosAdapter::stop(bool quietly)
{
    if (quietly)
        m_calls.clear();
    m_running = false;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        killProcessGroup(m_process);
        m_process->waitForFinished(2000);
    }
    failCalls();
}

void TaosAdapter::failCalls()
{
    const auto calls = std::exchange(m_calls, {});
    for (const Done &done : calls)
        done(-1, "EOF");
}

void TaosAdapter::call(const QJsonObject &request, Done done)
{
    if (!m_running) {
        done(-1, "EOF");
        return;
    }
    const qint64 id = m_nextCall++;
    QJsonObject line = request;
    line.insert(u"id"_s, id);
    m_calls.insert(id, std::move(done));
    m_process->write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
}

void TaosAdapter::readAnswers()
{
    m_buffer += m_process->readAllStandardOutput();
    qsizetype end;
    while ((end = m_buffer.indexOf('\n')) >= 0) {
        const QJsonObject answer = QJsonDocument::fromJson(m_buffer.left(end)).object();
        m_buffer.remove(0, end + 1);
        if (const Done done = m_calls.take(answer.value(u"id").toInteger()))
            done(answer.value(u"status").toInt(-1), answer.value(u"body").toString().toUtf8());
    }
}

// controller/rest/restful.go and auth.go: the routes, CheckAuth (401 only when the header is missing
// or cannot be read; a wrong password is TDengine's own answer, HTTP 200 with 0x0357, from the
// connection), the empty body and statement checks, then DoQuery in the bridge.
void TaosAdapter::serve(const HttpRequest &request, PodRuntime::HttpDone done)
{
    if (request.path == u"/-/ping") {
        done({200, {}, {}});
        return;
    }
    const bool sqlPath = request.path == u"/rest/sql" ||
                         (request.path.startsWith(u"/rest/sql/") && request.path.count(u'/') == 3);
    if (!sqlPath) {
        done(plain(404, "404 page not found"));
        return;
    }
    if (request.method != "POST") {
        done(plain(405, "405 method not allowed"));
        return;
    }
    const QByteArray authorization = request.header("authorization").trimmed();
    if (authorization.isEmpty()) {
        done(error(401, 0x1105, u"no auth info input"_s));
        return;
    }
    QString user;
    QString password;
    if (authorization.startsWith("Basic") && authorization.size() > 6) {
        const auto decoded =
            QByteArray::fromBase64Encoding(authorization.mid(6), QByteArray::AbortOnBase64DecodingErrors);
        const QString credentials = QString::fromUtf8(decoded.decoded);
        user = credentials.section(u':', 0, 0);
        password = credentials.section(u':', 1);
        if (!decoded || !credentials.contains(u':') || user.isEmpty() || password.isEmpty()) {
            done(error(401, 0x1124, u"invalid basic Authorization"_s));
            return;
        }
    } else if ((authorization.startsWith("Taosd") && authorization.size() > 6) ||
               (authorization.startsWith("Bearer") && authorization.size() > 7)) {
        // taosAdapter accepts these too (a DES token of user and password, a cloud token); the
        // sandbox does not decode them, and says so rather than guess.
        done(error(200, 0xffff, u"tdkube-sandbox: only Basic authorization is served on real taosd"_s));
        return;
    } else {
        done(error(401, 0x1122, u"invalid type of Authorization"_s));
        return;
    }
    if (request.body.isEmpty()) {
        done(error(400, 0x1106, u"request is empty"_s));
        return;
    }
    const QString sql = QString::fromUtf8(request.body).trimmed();
    if (sql.isEmpty()) {
        done(error(400, 0x1107, u"no sql input"_s));
        return;
    }
    const QString tz = request.query.hasQueryItem(u"tz"_s) ? request.queryValue(u"tz"_s) : QString();
    call(QJsonObject{{u"op"_s, u"query"_s},
                     {u"user"_s, user},
                     {u"password"_s, password},
                     {u"db"_s, request.path.section(u'/', 3, 3)},
                     {u"sql"_s, sql},
                     {u"tz"_s, tz}},
         [done](int status, const QByteArray &body) {
             if (status < 0) // taosAdapter went away with the container
                 done(plain(502, "EOF\n"));
             else
                 done({status, kJson, body});
         });
}

} // namespace tdkube::sandbox
