// tdkube-taosbridge: libtaos in a small child process of the sandbox, for the pods that run a real
// taosd (realtaosd.h). The sandbox starts one per pod, as the image starts one taosAdapter per pod,
// with the pod's taos.cfg and the name resolution of the pod (nss_wrapper in LD_PRELOAD).
//
// Why a separate process and not libtaos in the sandbox: the sandbox is built with ASan in the tests,
// and an ASan process refuses a preloaded nss_wrapper ahead of its runtime (FACTS.md section 8);
// libtaos's own threads and allocations that live until exit would also be reported as leaks there.
// This program is built without sanitizers and knows nothing of Qt; libtaos is loaded with dlopen so
// that the sandbox builds and runs on machines without TDengine.
//
//   tdkube-taosbridge LIBTAOS CONFIG_DIR
//
// stdin: one JSON object per line, {"id":N,"op":"query","sql":"...","db":"","user":"root",
// "password":"taosdata","tz":""} ("host" and "port" optional: by default the connection goes where
// taos.cfg says, as taosAdapter's). stdout: one line per request, {"id":N,"status":S,"body":"TEXT"},
// S the HTTP status taosAdapter answers with and TEXT its body (FACTS.md section 5, taosadapter
// controller/rest/restful.go), in the order they finish: each request runs on its own thread, as
// taosAdapter serves requests concurrently (a `drop dnode` blocks for a minute).
// Readiness is not asked here: the sandbox runs the image's check (`taos --check`) as the kubelet
// runs the probe, a process each time.
// The process ends when stdin closes.
#include <cctype>
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace {

// The part of taos.h (TDengine 3.0 and 3.3 alike) this program uses.
using TAOS = void;
using TAOS_RES = void;
using TAOS_ROW = void **;
struct TaosField
{
    char name[65];
    int8_t type;
    int32_t bytes;
};
enum TaosType : int8_t {
    kNull = 0,
    kBool = 1,
    kTinyint = 2,
    kSmallint = 3,
    kInt = 4,
    kBigint = 5,
    kFloat = 6,
    kDouble = 7,
    kVarchar = 8,
    kTimestamp = 9,
    kNchar = 10,
    kUTinyint = 11,
    kUSmallint = 12,
    kUInt = 13,
    kUBigint = 14,
    kJson = 15,
    kVarbinary = 16,
    kDecimal = 17,
    kBlob = 18,
    kMediumBlob = 19,
    kGeometry = 20,
};
constexpr int kOptionConfigDir = 3; // TSDB_OPTION_CONFIGDIR

struct Taos
{
    int (*options)(int, const void *, ...) = nullptr;
    int (*init)() = nullptr;
    TAOS *(*connect)(const char *, const char *, const char *, const char *, uint16_t) = nullptr;
    void (*close)(TAOS *) = nullptr;
    TAOS_RES *(*query)(TAOS *, const char *) = nullptr;
    int (*errnum)(TAOS_RES *) = nullptr;
    const char *(*errstr)(TAOS_RES *) = nullptr;
    void (*freeResult)(TAOS_RES *) = nullptr;
    bool (*isUpdateQuery)(TAOS_RES *) = nullptr;
    int (*affectedRows)(TAOS_RES *) = nullptr;
    int (*numFields)(TAOS_RES *) = nullptr;
    TaosField *(*fetchFields)(TAOS_RES *) = nullptr;
    TAOS_ROW (*fetchRow)(TAOS_RES *) = nullptr;
    int *(*fetchLengths)(TAOS_RES *) = nullptr;
    int (*resultPrecision)(TAOS_RES *) = nullptr;
};
Taos g_taos;
std::mutex g_outputMutex;
std::mutex g_timezoneMutex;

template<typename F> bool resolve(void *library, const char *name, F *function, std::string *missing)
{
    *function = reinterpret_cast<F>(dlsym(library, name));
    if (!*function)
        *missing += std::string(missing->empty() ? "" : ", ") + name;
    return *function != nullptr;
}

bool load(const char *path, std::string *error)
{
    void *library = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        *error = dlerror();
        return false;
    }
    std::string missing;
    resolve(library, "taos_options", &g_taos.options, &missing);
    resolve(library, "taos_init", &g_taos.init, &missing);
    resolve(library, "taos_connect", &g_taos.connect, &missing);
    resolve(library, "taos_close", &g_taos.close, &missing);
    resolve(library, "taos_query", &g_taos.query, &missing);
    resolve(library, "taos_errno", &g_taos.errnum, &missing);
    resolve(library, "taos_errstr", &g_taos.errstr, &missing);
    resolve(library, "taos_free_result", &g_taos.freeResult, &missing);
    resolve(library, "taos_is_update_query", &g_taos.isUpdateQuery, &missing);
    resolve(library, "taos_affected_rows", &g_taos.affectedRows, &missing);
    resolve(library, "taos_num_fields", &g_taos.numFields, &missing);
    resolve(library, "taos_fetch_fields", &g_taos.fetchFields, &missing);
    resolve(library, "taos_fetch_row", &g_taos.fetchRow, &missing);
    resolve(library, "taos_fetch_lengths", &g_taos.fetchLengths, &missing);
    resolve(library, "taos_result_precision", &g_taos.resultPrecision, &missing);
    if (!missing.empty()) {
        *error = std::string(path) + " lacks " + missing;
        return false;
    }
    return true;
}

// --- JSON: a flat object of strings and integers in, strings out -------------------------------

void appendUtf8(std::string *out, uint32_t cp)
{
    if (cp < 0x80) {
        *out += char(cp);
    } else if (cp < 0x800) {
        *out += char(0xC0 | (cp >> 6));
        *out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *out += char(0xE0 | (cp >> 12));
        *out += char(0x80 | ((cp >> 6) & 0x3F));
        *out += char(0x80 | (cp & 0x3F));
    } else {
        *out += char(0xF0 | (cp >> 18));
        *out += char(0x80 | ((cp >> 12) & 0x3F));
        *out += char(0x80 | ((cp >> 6) & 0x3F));
        *out += char(0x80 | (cp & 0x3F));
    }
}

bool parseHex4(const std::string &s, size_t at, uint32_t *value)
{
    if (at + 4 > s.size())
        return false;
    *value = 0;
    for (size_t i = at; i < at + 4; ++i) {
        const char c = s[i];
        *value <<= 4;
        if (c >= '0' && c <= '9')
            *value |= uint32_t(c - '0');
        else if (c >= 'a' && c <= 'f')
            *value |= uint32_t(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            *value |= uint32_t(c - 'A' + 10);
        else
            return false;
    }
    return true;
}

bool parseString(const std::string &s, size_t *i, std::string *out)
{
    if (*i >= s.size() || s[*i] != '"')
        return false;
    for (++*i; *i < s.size(); ++*i) {
        const char c = s[*i];
        if (c == '"') {
            ++*i;
            return true;
        }
        if (c != '\\') {
            *out += c;
            continue;
        }
        if (++*i >= s.size())
            return false;
        switch (s[*i]) {
        case 'n':
            *out += '\n';
            break;
        case 't':
            *out += '\t';
            break;
        case 'r':
            *out += '\r';
            break;
        case 'b':
            *out += '\b';
            break;
        case 'f':
            *out += '\f';
            break;
        case 'u': {
            uint32_t cp = 0;
            if (!parseHex4(s, *i + 1, &cp))
                return false;
            *i += 4;
            uint32_t low = 0;
            if (cp >= 0xD800 && cp < 0xDC00 && s.compare(*i + 1, 2, "\\u") == 0 &&
                parseHex4(s, *i + 3, &low) && low >= 0xDC00 && low < 0xE000) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                *i += 6;
            }
            appendUtf8(out, cp);
            break;
        }
        default:
            *out += s[*i];
            break;
        }
    }
    return false;
}

// {"key":"string" or integer, ...}; anything else is refused.
bool parseRequest(const std::string &line, std::map<std::string, std::string> *fields)
{
    size_t i = 0;
    auto skip = [&] {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
    };
    skip();
    if (i >= line.size() || line[i++] != '{')
        return false;
    for (;;) {
        skip();
        if (i < line.size() && line[i] == '}')
            return true;
        std::string key;
        if (!parseString(line, &i, &key))
            return false;
        skip();
        if (i >= line.size() || line[i++] != ':')
            return false;
        skip();
        std::string value;
        if (i < line.size() && line[i] == '"') {
            if (!parseString(line, &i, &value))
                return false;
        } else {
            while (i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) || line[i] == '-'))
                value += line[i++];
            if (value.empty())
                return false;
        }
        (*fields)[key] = value;
        skip();
        if (i < line.size() && line[i] == ',') {
            ++i;
            continue;
        }
        return i < line.size() && line[i] == '}';
    }
}

void writeString(std::string *out, const char *data, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    *out += '"';
    for (size_t i = 0; i < size; ++i) {
        const unsigned char c = static_cast<unsigned char>(data[i]);
        switch (c) {
        case '"':
            *out += "\\\"";
            break;
        case '\\':
            *out += "\\\\";
            break;
        case '\n':
            *out += "\\n";
            break;
        case '\r':
            *out += "\\r";
            break;
        case '\t':
            *out += "\\t";
            break;
        default:
            if (c < 0x20) {
                *out += "\\u00";
                *out += hex[c >> 4];
                *out += hex[c & 0xF];
            } else {
                *out += char(c);
            }
        }
    }
    *out += '"';
}

void writeString(std::string *out, const std::string &s)
{
    writeString(out, s.data(), s.size());
}

void answer(const std::string &id, int status, const std::string &body)
{
    std::string line = "{\"id\":" + id + ",\"status\":" + std::to_string(status) + ",\"body\":";
    writeString(&line, body);
    line += "}\n";
    const std::lock_guard lock(g_outputMutex);
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
}

// --- taosAdapter's REST answer ----------------------------------------------------------------

// taosAdapter's TypeDatabaseName (driver-go common/datatype.go).
const char *typeName(int type)
{
    switch (type) {
    case kNull:
        return "NULL";
    case kBool:
        return "BOOL";
    case kTinyint:
        return "TINYINT";
    case kSmallint:
        return "SMALLINT";
    case kInt:
        return "INT";
    case kBigint:
        return "BIGINT";
    case kFloat:
        return "FLOAT";
    case kDouble:
        return "DOUBLE";
    case kVarchar:
        return "VARCHAR";
    case kTimestamp:
        return "TIMESTAMP";
    case kNchar:
        return "NCHAR";
    case kUTinyint:
        return "TINYINT UNSIGNED";
    case kUSmallint:
        return "SMALLINT UNSIGNED";
    case kUInt:
        return "INT UNSIGNED";
    case kUBigint:
        return "BIGINT UNSIGNED";
    case kJson:
        return "JSON";
    case kVarbinary:
        return "VARBINARY";
    case kDecimal:
        return "DECIMAL";
    case kBlob:
        return "BLOB";
    case kMediumBlob:
        return "MEDIUMBLOB";
    case kGeometry:
        return "GEOMETRY";
    default:
        return "UNKNOWN";
    }
}

std::string errorBody(int code, const std::string &desc)
{
    std::string body = "{\"code\":" + std::to_string(code) + ",\"desc\":";
    writeString(&body, desc);
    return body + "}";
}

// Go's strconv.AppendFloat(f, 'f', -1, bits) below 1e21, 'e' above, as taosAdapter's JSON writer;
// NaN and infinities are null (FACTS.md section 5).
template<typename T> void writeFloat(std::string *out, T value)
{
    if (!std::isfinite(value)) {
        *out += "null";
        return;
    }
    char buffer[400];
    const auto format =
        std::fabs(double(value)) < 1e21 ? std::chars_format::fixed : std::chars_format::scientific;
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, format);
    out->append(buffer, result.ptr);
}

// RFC 3339 with 3, 6 or 9 fraction digits by the precision (0 ms, 1 us, 2 ns), UTC ("Z") unless a
// zone was asked for (?tz=), then with its offset.
void writeTimestamp(std::string *out, int64_t value, int precision, const std::string &tz)
{
    const int64_t perSecond = precision == 0 ? 1000 : precision == 1 ? 1000000 : 1000000000;
    const int digits = precision == 0 ? 3 : precision == 1 ? 6 : 9;
    int64_t seconds = value / perSecond;
    int64_t fraction = value % perSecond;
    if (fraction < 0) {
        fraction += perSecond;
        --seconds;
    }
    const time_t t = time_t(seconds);
    struct tm tm = {};
    long offset = 0;
    if (tz.empty() || tz == "UTC") {
        gmtime_r(&t, &tm);
    } else {
        // The process's TZ is the pod's (libtaos reads it); borrowed for this one conversion.
        const std::lock_guard lock(g_timezoneMutex);
        const char *saved = std::getenv("TZ");
        const std::string previous = saved ? saved : "";
        setenv("TZ", tz.c_str(), 1);
        tzset();
        localtime_r(&t, &tm);
        offset = tm.tm_gmtoff;
        if (saved)
            setenv("TZ", previous.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
    char buffer[64];
    int n =
        std::snprintf(buffer, sizeof buffer, "\"%04d-%02d-%02dT%02d:%02d:%02d.%0*" PRId64, tm.tm_year + 1900,
                      tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, digits, fraction);
    out->append(buffer, size_t(n));
    if (tz.empty() || tz == "UTC") {
        *out += "Z\"";
        return;
    }
    const char sign = offset < 0 ? '-' : '+';
    offset = std::labs(offset);
    n = std::snprintf(buffer, sizeof buffer, "%c%02ld:%02ld\"", sign, offset / 3600, (offset % 3600) / 60);
    out->append(buffer, size_t(n));
}

void writeValue(std::string *out, const TaosField &field, const void *value, int length, int precision,
                const std::string &tz)
{
    static const char hex[] = "0123456789abcdef";
    if (!value) {
        *out += "null";
        return;
    }
    switch (field.type) {
    case kBool:
        *out += *static_cast<const int8_t *>(value) ? "true" : "false";
        break;
    case kTinyint:
        *out += std::to_string(*static_cast<const int8_t *>(value));
        break;
    case kSmallint:
        *out += std::to_string(*static_cast<const int16_t *>(value));
        break;
    case kInt:
        *out += std::to_string(*static_cast<const int32_t *>(value));
        break;
    case kBigint:
        *out += std::to_string(*static_cast<const int64_t *>(value));
        break;
    case kUTinyint:
        *out += std::to_string(*static_cast<const uint8_t *>(value));
        break;
    case kUSmallint:
        *out += std::to_string(*static_cast<const uint16_t *>(value));
        break;
    case kUInt:
        *out += std::to_string(*static_cast<const uint32_t *>(value));
        break;
    case kUBigint:
        *out += std::to_string(*static_cast<const uint64_t *>(value));
        break;
    case kFloat:
        writeFloat(out, *static_cast<const float *>(value));
        break;
    case kDouble:
        writeFloat(out, *static_cast<const double *>(value));
        break;
    case kTimestamp:
        writeTimestamp(out, *static_cast<const int64_t *>(value), precision, tz);
        break;
    case kJson:
        out->append(static_cast<const char *>(value), size_t(length));
        break; // a raw object
    case kVarbinary:
    case kGeometry: {
        *out += '"';
        const auto *bytes = static_cast<const unsigned char *>(value);
        for (int i = 0; i < length; ++i) {
            *out += hex[bytes[i] >> 4];
            *out += hex[bytes[i] & 0xF];
        }
        *out += '"';
        break;
    }
    default:
        writeString(out, static_cast<const char *>(value), size_t(length));
        break;
    }
}

bool knownZone(const std::string &tz)
{
    if (tz.empty() || tz == "UTC")
        return true;
    if (tz.find("..") != std::string::npos || tz.front() == '/')
        return false;
    struct stat info = {};
    return ::stat(("/usr/share/zoneinfo/" + tz).c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// One statement as taosAdapter's DoQuery/execute run it (controller/rest/restful.go): a connection
// as the user, `use DB` first when the path names one (its error ignored), then the statement; an
// error is HTTP 200 with code = errno & 0xffff; a fetch error ends the rows early with code 0.
void query(const std::string &id, std::map<std::string, std::string> fields)
{
    const std::string tz = fields["tz"];
    if (!knownZone(tz)) {
        answer(id, 400, errorBody(0xffff, "unknown time zone " + fields["tz"]));
        return;
    }
    // No host: the connection goes where taos.cfg's firstEp (then secondEp) says, as taosAdapter's.
    const std::string &host = fields["host"];
    TAOS *taos =
        g_taos.connect(host.empty() ? nullptr : host.c_str(), fields["user"].c_str(),
                       fields["password"].c_str(), nullptr, uint16_t(std::atoi(fields["port"].c_str())));
    if (!taos) {
        answer(id, 200, errorBody(g_taos.errnum(nullptr) & 0xffff, g_taos.errstr(nullptr)));
        return;
    }
    if (!fields["db"].empty()) {
        TAOS_RES *use = g_taos.query(taos, ("use `" + fields["db"] + "`").c_str());
        g_taos.freeResult(use);
    }
    TAOS_RES *res = g_taos.query(taos, fields["sql"].c_str());
    const int code = g_taos.errnum(res);
    if (code != 0) {
        const std::string desc = g_taos.errstr(res);
        g_taos.freeResult(res);
        g_taos.close(taos);
        answer(id, 200, errorBody(code & 0xffff, desc));
        return;
    }
    std::string body;
    if (g_taos.isUpdateQuery(res)) {
        body = "{\"code\":0,\"column_meta\":[[\"affected_rows\",\"INT\",4]],\"data\":[[" +
               std::to_string(g_taos.affectedRows(res)) + "]],\"rows\":1}";
    } else {
        const int count = g_taos.numFields(res);
        const TaosField *columns = g_taos.fetchFields(res);
        const int precision = g_taos.resultPrecision(res);
        body = "{\"code\":0,\"column_meta\":[";
        for (int c = 0; c < count; ++c) {
            body += c ? ",[" : "[";
            writeString(&body, columns[c].name);
            body += ",\"";
            body += typeName(columns[c].type);
            body += "\"," + std::to_string(columns[c].bytes) + "]";
        }
        body += "],\"data\":[";
        int rows = 0;
        while (TAOS_ROW row = g_taos.fetchRow(res)) {
            const int *lengths = g_taos.fetchLengths(res);
            body += rows ? ",[" : "[";
            for (int c = 0; c < count; ++c) {
                if (c)
                    body += ',';
                writeValue(&body, columns[c], row[c], lengths ? lengths[c] : 0, precision, tz);
            }
            body += ']';
            ++rows;
        }
        body += "],\"rows\":" + std::to_string(rows) + "}";
    }
    g_taos.freeResult(res);
    g_taos.close(taos);
    answer(id, 200, body);
}

} // namespace

int main(int argc, char *argv[])
{
    // Never outlive the sandbox, even when it is killed (a crash or SIGKILL skips its clean-up).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s LIBTAOS CONFIG_DIR\n", argv[0]);
        return 2;
    }
    std::string error;
    if (!load(argv[1], &error)) {
        std::fprintf(stderr, "tdkube-taosbridge: cannot load libtaos: %s\n", error.c_str());
        return 1;
    }
    // taos.cfg read once, before any call (the shell calls taos_init() first too).
    g_taos.options(kOptionConfigDir, argv[2]);
    if (g_taos.init() != 0) {
        std::fprintf(stderr, "tdkube-taosbridge: taos_init failed with the config in %s\n", argv[2]);
        return 1;
    }
    std::string line;
    while (std::getline(std::cin, line)) {
        std::map<std::string, std::string> fields;
        if (!parseRequest(line, &fields) || fields["id"].empty()) {
            std::fprintf(stderr, "tdkube-taosbridge: not a request: %s\n", line.c_str());
            continue;
        }
        const std::string id = fields["id"];
        if (fields["op"] == "query")
            std::thread(query, id, std::move(fields)).detach();
        else
            answer(id, -1, "unknown op " + fields["op"]);
    }
    // libtaos's threads are still running; its clean-up at exit can hang on them.
    std::fflush(stdout);
    ::_exit(0);
}
