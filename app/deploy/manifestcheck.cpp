#include "deploy/manifestcheck.h"

#include "deploy/manifestschema.h"
#include "deploy/yamltext_p.h"

#include <QJsonArray>
#include <QRegularExpression>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <tuple>
#include <unordered_map>
#include <yaml-cpp/yaml.h>

using namespace Qt::StringLiterals;

namespace tdkube::deploy {

namespace {

using Severity = Diagnostic::Severity;
using schema::Kind;
using namespace yamltext;

// Beyond this nesting a manifest is not a manifest; the limit also stops alias cycles.
constexpr int kMaxDepth = 100;

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

QString quoted(const std::string &text)
{
    return u'"' + q(text) + u'"';
}

QString quoted(std::string_view text)
{
    return u'"' + QString::fromUtf8(text.data(), qsizetype(text.size())) + u'"';
}

bool isQuantity(const std::string &text)
{
    static const QRegularExpression pattern(
        u"^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$"_s);
    return pattern.match(q(text)).hasMatch();
}

int editDistance(std::string_view a, std::string_view b)
{
    std::vector<int> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (size_t i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (size_t j = 1; j <= b.size(); ++j) {
            const int above = row[j];
            const bool same = std::tolower(uchar(a[i - 1])) == std::tolower(uchar(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

// The known field closest to `name`, if it is close enough to be a typo.
std::string_view suggestion(const schema::Type &type, const std::string &name)
{
    const int limit = std::clamp(int(name.size()) / 3, 1, 3);
    std::string_view best;
    int bestDistance = limit + 1;
    for (const schema::Field &field : type.fields) {
        const int distance = editDistance(name, field.name);
        if (distance < bestDistance) {
            best = field.name;
            bestDistance = distance;
        }
    }
    return best;
}

// Checks one document. Diagnostics go to `out` with positions in the whole file.
class DocumentChecker
{
public:
    DocumentChecker(const Source &source, const Chunk &chunk, QList<Diagnostic> *out)
        : m_source(source)
        , m_chunk(chunk)
        , m_out(out)
    {
    }

    // Syntax: tabs, yaml-cpp's parse, duplicate keys, unclosed quotes. Returns the root when the
    // document is sound enough for shape checks, an undefined node otherwise.
    YAML::Node parse()
    {
        const int before = int(m_out->size());
        checkTabs();
        const int start = m_source.lineStart(m_chunk.firstLine);
        const int end = m_chunk.endLine < m_source.lineCount() ? m_source.lineStart(m_chunk.endLine)
                                                               : int(m_source.text().size());
        YAML::Node root;
        try {
            root = YAML::Load(std::string(m_source.text().constData() + start, size_t(end - start)));
            checkSyntaxTree(root, 0);
        } catch (const YAML::Exception &e) {
            syntaxError(e.mark, e.msg);
            return YAML::Node(YAML::NodeType::Undefined);
        } catch (const std::exception &e) {
            add(m_chunk.firstLine, 1, 1,
                u"this document could not be read as YAML ("_s + QString::fromUtf8(e.what()) + u')');
            return YAML::Node(YAML::NodeType::Undefined);
        }
        return int(m_out->size()) == before ? root : YAML::Node(YAML::NodeType::Undefined);
    }

    void checkShape(const YAML::Node &root);

private:
    void add(const YAML::Mark &mark, int length, const QString &message, Severity severity = Severity::Error)
    {
        const int line = m_chunk.firstLine + std::max(0, mark.line);
        add(line, m_source.column(line, std::max(0, mark.column)), length, message, severity);
    }

    void add(int line, int column, int length, const QString &message, Severity severity = Severity::Error)
    {
        m_out->append(Diagnostic{line + 1, column, std::max(1, length), severity, message});
    }

    // The underline for a node: its token on its line.
    void addAt(const YAML::Node &node, const QString &message, Severity severity = Severity::Error)
    {
        const YAML::Mark mark = node.Mark();
        const int line = m_chunk.firstLine + std::max(0, mark.line);
        add(mark, m_source.tokenLength(line, std::max(0, mark.column)), message, severity);
    }

    void checkTabs();
    int unclosedFlowOpener(char open) const;
    void syntaxError(const YAML::Mark &mark, const std::string &message);
    void checkSyntaxTree(const YAML::Node &node, int depth);
    void checkQuote(const YAML::Node &node);

    void checkTopLevel(const YAML::Node &root);
    void checkName(const YAML::Node &root, const YAML::Node &metadata, std::string_view kind);
    // What checkTopLevel() and checkName() already checked: apiVersion and kind at the top level,
    // name and namespace in the top level's metadata.
    enum class Skip { None, TopLevel, TopLevelMetadata };
    void checkObject(const YAML::Node &map, const schema::Type &type, int depth, Skip skip = Skip::None);
    void checkField(const YAML::Node &key, const YAML::Node &value, const schema::Field &field, int depth);
    void checkValue(const YAML::Node &key, const YAML::Node &value, const schema::Field &field, int depth);
    void checkScalar(const YAML::Node &key, const YAML::Node &value, Kind kind, const QString &what);

    const Source &m_source;
    const Chunk m_chunk;
    QList<Diagnostic> *m_out;
    std::vector<int> m_tabLines;
};

// YAML indents with spaces only; yaml-cpp reports a tab as a puzzling "illegal map value" (or
// accepts it). Lines inside block scalars may hold tabs after their indentation (scripts).
void DocumentChecker::checkTabs()
{
    int blockIndent = -1; // the header line's indentation while inside a block scalar
    for (int i = m_chunk.firstLine; i < m_chunk.endLine; ++i) {
        const QByteArrayView line = m_source.line(i);
        int spaces = 0;
        while (spaces < line.size() && line[spaces] == ' ')
            ++spaces;
        const bool blank = line.trimmed().isEmpty();
        if (blockIndent >= 0 && (blank || spaces > blockIndent))
            continue;
        blockIndent = -1;
        if (spaces < line.size() && line[spaces] == '\t') {
            m_tabLines.push_back(i);
            add(i, m_source.column(i, spaces), 1,
                u"tab in indentation: YAML indents with spaces only; replace the tab with spaces"_s);
            continue;
        }
        static const QRegularExpression header(u"(^|[:-]\\s+|^---\\s+)[|>][-+0-9]*\\s*(#.*)?$"_s);
        if (header.match(QString::fromUtf8(line)).hasMatch())
            blockIndent = spaces;
    }
}

void DocumentChecker::syntaxError(const YAML::Mark &mark, const std::string &message)
{
    const int line = m_chunk.firstLine + std::max(0, mark.line);
    // A tab in the indentation makes yaml-cpp fail on that line or the next: the tab is the cause.
    for (const int tabLine : m_tabLines) {
        if (line == tabLine || line == tabLine + 1)
            return;
    }
    static const std::unordered_map<std::string, QString> friendly{
        {"end of map not found",
         u"bad indentation: this line does not line up with the keys above it; indent it exactly like the "
         u"other keys of its map"_s},
        {"end of sequence not found",
         u"bad indentation in a list: this line does not line up with the list item above it; indent it like "
         u"the other fields of the item"_s},
        {"illegal map value",
         u"unexpected \":\" here: a key cannot follow a value on the same line; check the indentation, or "
         u"quote a value that contains \": \""_s},
        {"end of sequence flow not found", u"a \"[\" list is not closed; add the missing \"]\""_s},
        {"end of map flow not found", u"a \"{\" map is not closed; add the missing \"}\""_s},
        {"end of string not found", u"unclosed quote; add the closing quote"_s},
        {"the referenced anchor is not defined",
         u"an alias (*name) refers to an anchor (&name) that is not defined above it; define the anchor first"_s},
    };
    // yaml-cpp notices an unclosed [ or { only where the document ends; point at the opener.
    if (message == "end of sequence flow not found" || message == "end of map flow not found") {
        if (const int opener = unclosedFlowOpener(message.find("sequence") != std::string::npos ? '[' : '{');
            opener >= 0) {
            int line = m_chunk.firstLine;
            while (line + 1 < m_chunk.endLine && m_source.lineStart(line + 1) <= opener)
                ++line;
            add(line, m_source.column(line, opener - m_source.lineStart(line)), 1,
                message.find("sequence") != std::string::npos
                    ? u"a \"[\" list is not closed; add the missing \"]\""_s
                    : u"a \"{\" map is not closed; add the missing \"}\""_s);
            return;
        }
    }
    const auto it = friendly.find(message);
    const QString text =
        it != friendly.end() ? it->second : u"YAML syntax error: "_s + q(message) + u"; fix the YAML here"_s;
    add(mark, 1, text);
}

void DocumentChecker::checkSyntaxTree(const YAML::Node &node, int depth)
{
    if (depth > kMaxDepth)
        return;
    if (node.IsScalar()) {
        checkQuote(node);
    } else if (node.IsSequence()) {
        for (const YAML::Node &item : node)
            checkSyntaxTree(item, depth + 1);
    } else if (node.IsMap()) {
        // yaml-cpp keeps both entries of a duplicated key; kubectl refuses the file. The later one
        // would silently win in most other tools, which makes it a classic hard-to-see mistake.
        std::unordered_map<std::string, int> seen;
        for (auto it = node.begin(); it != node.end(); ++it) {
            checkSyntaxTree(it->first, depth + 1);
            checkSyntaxTree(it->second, depth + 1);
            if (!it->first.IsScalar())
                continue;
            const int line = m_chunk.firstLine + it->first.Mark().line + 1;
            const auto [previous, inserted] = seen.emplace(it->first.Scalar(), line);
            if (!inserted) {
                addAt(it->first, u"duplicate key "_s + quoted(it->first.Scalar()) + u" (first at line "_s +
                                     QString::number(previous->second) + u"); remove one of them"_s);
            }
        }
    }
}

// The byte position of the last `open` bracket of the document that is never closed, or -1.
// Skips quoted text and comments.
int DocumentChecker::unclosedFlowOpener(char open) const
{
    const QByteArray &text = m_source.text();
    const int end =
        m_chunk.endLine < m_source.lineCount() ? m_source.lineStart(m_chunk.endLine) : int(text.size());
    std::vector<int> openers;
    char quote = 0;
    for (int i = m_source.lineStart(m_chunk.firstLine); i < end; ++i) {
        const char c = text[i];
        if (quote) {
            if (c == '\\' && quote == '"')
                ++i;
            else if (c == quote)
                quote = 0;
        } else if ((c == '"' || c == '\'') && (i == 0 || std::strchr(" \t[{,:", text[i - 1]))) {
            quote = c;
        } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) {
            while (i + 1 < end && text[i + 1] != '\n')
                ++i;
        } else if (c == '[' || c == '{') {
            openers.push_back(c == open ? i : -1 - i);
        } else if ((c == ']' || c == '}') && !openers.empty()) {
            openers.pop_back();
        }
    }
    for (auto it = openers.rbegin(); it != openers.rend(); ++it) {
        if (*it >= 0)
            return *it;
    }
    return -1;
}

// yaml-cpp reads an unclosed quote as a string that runs on over the following lines (to the
// end of the document). YAML requires such continuation lines to be indented more than the line
// the string starts on; a less indented line means the closing quote is missing.
void DocumentChecker::checkQuote(const YAML::Node &node)
{
    const YAML::Mark mark = node.Mark();
    const int line = m_chunk.firstLine + mark.line;
    if (line >= m_chunk.endLine)
        return;
    const QByteArrayView text = m_source.line(line);
    if (mark.column >= text.size() || (text[mark.column] != '"' && text[mark.column] != '\''))
        return;
    const char quote = text[mark.column];
    const QByteArray &all = m_source.text();
    qsizetype pos = m_source.lineStart(line) + mark.column + 1;
    while (pos < all.size()) {
        if (all[pos] == '\\' && quote == '"') {
            pos += 2;
        } else if (all[pos] == quote) {
            if (quote == '\'' && pos + 1 < all.size() && all[pos + 1] == '\'')
                pos += 2;
            else
                break;
        } else {
            ++pos;
        }
    }
    int indent = 0;
    while (indent < text.size() && text[indent] == ' ')
        ++indent;
    for (int next = line + 1; next < m_chunk.endLine && m_source.lineStart(next) <= pos; ++next) {
        const QByteArrayView continuation = m_source.line(next);
        int spaces = 0;
        while (spaces < continuation.size() && continuation[spaces] == ' ')
            ++spaces;
        if (spaces <= indent && !continuation.trimmed().isEmpty()) {
            add(mark, 1,
                u"unclosed quote: the string that starts here runs on into line "_s +
                    QString::number(next + 1) + u"; add the closing "_s + QChar::fromLatin1(quote));
            return;
        }
    }
    if (pos >= all.size())
        add(mark, 1,
            u"unclosed quote: the string that starts here never ends; add the closing "_s +
                QChar::fromLatin1(quote));
}

bool isDns1123Label(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"_s);
    return name.size() <= 63 && pattern.match(name).hasMatch();
}

bool isDns1123Subdomain(const QString &name)
{
    static const QRegularExpression pattern(
        u"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"_s);
    return name.size() <= 253 && pattern.match(name).hasMatch();
}

bool isDns1035Label(const QString &name)
{
    static const QRegularExpression pattern(u"^[a-z]([-a-z0-9]*[a-z0-9])?$"_s);
    return name.size() <= 63 && pattern.match(name).hasMatch();
}

YAML::Node keyNode(const YAML::Node &map, std::string_view name)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == name)
            return it->first;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

// map[name] without yaml-cpp's traps: a const lookup of a missing key gives an "invalid" node that
// throws on use.
YAML::Node child(const YAML::Node &map, std::string_view name)
{
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (it->first.IsScalar() && it->first.Scalar() == name)
            return it->second;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

void DocumentChecker::checkShape(const YAML::Node &root)
{
    if (!root.IsDefined() || root.IsNull())
        return;
    if (!root.IsMap()) {
        addAt(root, u"a Kubernetes manifest is a map of fields (apiVersion, kind, metadata, ...), but this "_s
                    u"document is "_s +
                        describe(root) + u"; write it as \"key: value\" lines"_s);
        return;
    }
    checkTopLevel(root);
}

void DocumentChecker::checkTopLevel(const YAML::Node &root)
{
    const YAML::Node apiVersion = child(root, "apiVersion");
    const YAML::Node kind = child(root, "kind");
    const bool kindIsString = kind.IsScalar() && resolve(kind) == ScalarType::String;
    const std::string kindName = kindIsString ? kind.Scalar() : std::string();
    const std::string_view expectedVersion = schema::apiVersionOf(kindName);
    if (!apiVersion.IsDefined() || apiVersion.IsNull()) {
        const QString example = expectedVersion.empty() ? u"v1"_s : QString::fromLatin1(expectedVersion);
        add(root.Mark(), 1,
            u"missing \"apiVersion\": every manifest needs one; add e.g. \"apiVersion: "_s + example + u'"');
    } else if (!apiVersion.IsScalar() || resolve(apiVersion) != ScalarType::String) {
        addAt(apiVersion,
              u"\"apiVersion\" must be a string such as \"apps/v1\", but it is "_s + describe(apiVersion));
    } else if (!expectedVersion.empty() && apiVersion.Scalar() != expectedVersion) {
        addAt(apiVersion, q(kindName) + u" is served as "_s + quoted(expectedVersion) + u", not "_s +
                              quoted(apiVersion.Scalar()) + u"; change apiVersion to "_s +
                              QString::fromLatin1(expectedVersion));
    }
    if (!kind.IsDefined() || kind.IsNull())
        add(root.Mark(), 1, u"missing \"kind\": every manifest needs one; add e.g. \"kind: StatefulSet\""_s);
    else if (!kindIsString)
        addAt(kind, u"\"kind\" must be a string such as \"StatefulSet\", but it is "_s + describe(kind));

    const YAML::Node metadata = child(root, "metadata");
    // `kubectl get -o yaml` of several objects gives a List, which has no name (its items are not
    // checked: a List is output, rarely edited and applied).
    const bool list = kindName.ends_with("List") && (!metadata.IsDefined() || metadata.IsMap());
    if (!list && (!metadata.IsDefined() || metadata.IsNull())) {
        add(root.Mark(), 1,
            u"missing \"metadata\" with a \"name\": every object needs a name; add \"metadata:\" and "_s
            u"\"  name: ...\""_s);
    } else if (!list && !metadata.IsMap()) {
        addAt(metadata, u"\"metadata\" must be a map (name, namespace, labels, ...), but it is "_s +
                            describe(metadata));
    } else if (!list) {
        checkName(root, metadata, kindName);
    }

    if (const schema::Type *type =
            apiVersion.IsScalar() ? schema::topLevelType(apiVersion.Scalar(), kindName) : nullptr)
        checkObject(root, *type, 0, Skip::TopLevel);
}

void DocumentChecker::checkName(const YAML::Node &root, const YAML::Node &metadata, std::string_view kind)
{
    const YAML::Node name = child(metadata, "name");
    if (!name.IsDefined() || name.IsNull()) {
        if (!child(metadata, "generateName").IsDefined()) {
            addAt(keyNode(root, "metadata"),
                  u"missing \"name\" in metadata: every object needs a name; add \"name: ...\" (lowercase "_s
                  u"letters, digits and \"-\")"_s);
        }
        return;
    }
    if (!name.IsScalar() || resolve(name) != ScalarType::String) {
        addAt(name, u"metadata.name must be a string, but it is "_s + describe(name) + u"; quote it"_s);
        return;
    }
    const QString value = q(name.Scalar());
    if (kind == "Service" && !isDns1035Label(value)) {
        addAt(name, u"\""_s + value +
                        u"\" is not a valid Service name: use at most 63 lowercase letters, digits and "_s
                        u"\"-\", starting with a letter and ending with a letter or digit"_s);
    } else if (kind == "Namespace" && !isDns1123Label(value)) {
        addAt(name, u"\""_s + value +
                        u"\" is not a valid Namespace name: use at most 63 lowercase letters, digits and "_s
                        u"\"-\", starting and ending with a letter or digit"_s);
    } else if (!isDns1123Subdomain(value)) {
        addAt(name, u"\""_s + value +
                        u"\" is not a valid name: use lowercase letters, digits, \"-\" and \".\", "_s
                        u"starting and ending with a letter or digit (DNS-1123)"_s);
    }
    const YAML::Node ns = child(metadata, "namespace");
    if (ns.IsScalar() && resolve(ns) == ScalarType::String && !isDns1123Label(q(ns.Scalar()))) {
        addAt(ns, quoted(ns.Scalar()) +
                      u" is not a valid namespace: use at most 63 lowercase letters, digits and "_s
                      u"\"-\", starting and ending with a letter or digit"_s);
    }
}

void DocumentChecker::checkObject(const YAML::Node &map, const schema::Type &type, int depth, Skip skip)
{
    if (depth > kMaxDepth)
        return;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            addAt(key, u"a field name must be plain text, but this key is "_s + describe(key));
            continue;
        }
        const std::string &name = key.Scalar();
        if (skip == Skip::TopLevel && (name == "apiVersion" || name == "kind"))
            continue;
        if (skip == Skip::TopLevelMetadata && (name == "name" || name == "namespace"))
            continue;
        const schema::Field *field = type.field(name);
        if (field && skip == Skip::TopLevel && field->object && it->second.IsMap() && name == "metadata") {
            checkObject(it->second, *field->object, depth + 1, Skip::TopLevelMetadata);
            continue;
        }
        if (field && field->name == "serviceAccount" && type.name == "PodSpec") {
            addAt(key, u"\"serviceAccount\" is deprecated and may be ignored; use \"serviceAccountName\""_s,
                  Severity::Warning);
        }
        if (field) {
            checkField(key, it->second, *field, depth + 1);
            continue;
        }
        const std::string_view guess = suggestion(type, name);
        const QString where =
            u"unknown field "_s + quoted(name) + u" in "_s + QString::fromLatin1(type.description);
        addAt(key, guess.empty() ? QString(where + u"; remove it, or check its spelling and indentation"_s)
                                 : QString(where + u"; did you mean "_s + quoted(guess) + u"?"_s));
    }
}

void DocumentChecker::checkField(const YAML::Node &key, const YAML::Node &value, const schema::Field &field,
                                 int depth)
{
    if (value.IsNull() || field.kind == Kind::Any)
        return; // null means "not set" to the API server
    if (!field.list) {
        checkValue(key, value, field, depth);
        return;
    }
    if (!value.IsSequence()) {
        addAt(value.IsScalar() ? value : key,
              quoted(key.Scalar()) + u" must be a list (one \"- \" item per entry), but it is "_s +
                  describe(value));
        return;
    }
    for (const YAML::Node &item : value)
        checkValue(key, item, field, depth);
}

void DocumentChecker::checkValue(const YAML::Node &key, const YAML::Node &value, const schema::Field &field,
                                 int depth)
{
    const QString what = field.list ? u"items of "_s + quoted(key.Scalar()) : quoted(key.Scalar());
    const YAML::Node &at = value.IsScalar() ? value : key;
    switch (field.kind) {
    case Kind::Any:
        return;
    case Kind::Object:
        if (!value.IsMap())
            addAt(at, what + u" must be a map ("_s + QString::fromLatin1(field.object->description) +
                          u"), but "_s + (field.list ? u"this one"_s : u"it"_s) + u" is "_s +
                          describe(value));
        else
            checkObject(value, *field.object, depth);
        return;
    case Kind::StringMap:
    case Kind::QuantityMap:
        if (!value.IsMap()) {
            addAt(at, what + u" must be a map of \"key: value\" lines, but it is "_s + describe(value));
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (it->first.IsScalar() && !it->second.IsNull())
                checkScalar(
                    it->first, it->second, field.kind == Kind::StringMap ? Kind::String : Kind::Quantity,
                    u"the value of "_s + quoted(it->first.Scalar()) + u" in "_s + quoted(key.Scalar()));
        }
        return;
    default:
        checkScalar(key, value, field.kind, what);
    }
}

void DocumentChecker::checkScalar(const YAML::Node &key, const YAML::Node &value, Kind kind,
                                  const QString &what)
{
    static const std::unordered_map<int, QString> expected{
        {int(Kind::String), u"a string"_s},
        {int(Kind::Integer), u"an integer"_s},
        {int(Kind::Number), u"a number"_s},
        {int(Kind::Boolean), u"true or false"_s},
        {int(Kind::IntOrString), u"an integer or a name"_s},
        {int(Kind::Quantity), u"a quantity such as 500m or 1Gi"_s}};
    if (!value.IsScalar()) {
        addAt(key, what + u" must be "_s + expected.at(int(kind)) + u", but it is "_s + describe(value));
        return;
    }
    const ScalarType type = resolve(value);
    const QString shown = q(value.Scalar());
    switch (kind) {
    case Kind::String:
        if (type == ScalarType::Null || type == ScalarType::String)
            return;
        addAt(value, what + u" must be a string, but "_s + shown + u" is read as "_s + describe(type) +
                         u"; quote it: \""_s + shown + u'"');
        return;
    case Kind::Integer:
        if (type == ScalarType::Int)
            return;
        if (type == ScalarType::String && (isInteger(value.Scalar())))
            addAt(value,
                  what + u" must be an integer, but \""_s + shown + u"\" is a string; remove the quotes"_s);
        else
            addAt(value, what + u" must be an integer, but "_s + shown + u" is "_s + describe(type) +
                             u"; write a whole number"_s);
        return;
    case Kind::Number:
        if (type == ScalarType::Int || type == ScalarType::Float)
            return;
        addAt(value, what + u" must be a number, but "_s + shown + u" is "_s + describe(type) +
                         u"; remove any quotes"_s);
        return;
    case Kind::Boolean:
        if (type == ScalarType::Bool)
            return;
        addAt(value, what + u" must be true or false, but "_s + shown + u" is "_s + describe(type) +
                         (type == ScalarType::String ? u"; remove the quotes"_s : QString()));
        return;
    case Kind::IntOrString:
        if (type == ScalarType::Int || type == ScalarType::String)
            return;
        addAt(value,
              what + u" must be a port number or a port name, but "_s + shown + u" is "_s + describe(type));
        return;
    case Kind::Quantity:
        if (type == ScalarType::Int || type == ScalarType::Float ||
            (type == ScalarType::String && isQuantity(value.Scalar())))
            return;
        addAt(
            value,
            what + u": "_s + quoted(value.Scalar()) +
                u" is not a Kubernetes quantity; write e.g. 500m or 2 (CPU), 512Mi or 4Gi (memory, storage)"_s);
        return;
    default:
        return;
    }
}

QList<Diagnostic> check(const QByteArray &yaml, bool shape)
{
    QList<Diagnostic> out;
    const Source source(yaml);
    for (const Chunk &chunk : splitDocuments(source)) {
        if (chunk.endLine <= chunk.firstLine)
            continue;
        DocumentChecker checker(source, chunk, &out);
        const YAML::Node root = checker.parse();
        if (!shape)
            continue;
        try {
            checker.checkShape(root);
        } catch (const std::exception &e) {
            // Not expected (every lookup is guarded), but an editor must never crash on a text.
            out.append(Diagnostic{chunk.firstLine + 1, 1, 1, Severity::Warning,
                                  u"this document could not be checked ("_s + QString::fromUtf8(e.what()) +
                                      u"); the YAML itself is fine"_s});
        }
    }
    // An aliased node is walked once per alias: report each problem once.
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic &a, const Diagnostic &b) {
        return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    out.erase(std::unique(out.begin(), out.end(),
                          [](const Diagnostic &a, const Diagnostic &b) {
                              return a.line == b.line && a.column == b.column && a.message == b.message;
                          }),
              out.end());
    return out;
}

} // namespace

QList<Diagnostic> checkManifests(const QByteArray &yaml)
{
    return check(yaml, true);
}

QList<Diagnostic> checkYamlSyntax(const QByteArray &yaml)
{
    return check(yaml, false);
}

bool parseManifests(const QByteArray &yaml, QList<ManifestDocument> *documents, QString *error)
{
    documents->clear();
    const Source source(yaml);
    for (const Chunk &chunk : splitDocuments(source)) {
        if (chunk.endLine <= chunk.firstLine)
            continue;
        QList<Diagnostic> problems;
        DocumentChecker checker(source, chunk, &problems);
        const YAML::Node root = checker.parse();
        if (!problems.isEmpty()) {
            const Diagnostic &first = problems.first();
            if (error)
                *error = u"line %1, column %2: %3"_s.arg(first.line).arg(first.column).arg(first.message);
            documents->clear();
            return false;
        }
        if (root.IsNull())
            continue;
        const int line = chunk.firstLine + root.Mark().line + 1;
        if (!root.IsMap()) {
            if (error)
                *error =
                    u"line %1: this document is %2, not a map of fields (apiVersion, kind, ...); write it as "
                    u"\"key: value\" lines"_s.arg(line)
                        .arg(describe(root));
            documents->clear();
            return false;
        }
        try {
            documents->append(ManifestDocument{toJson(root, 0, kMaxDepth).toObject(), line});
        } catch (const std::exception &e) {
            if (error)
                *error = u"line %1: the document could not be converted (%2)"_s.arg(line).arg(
                    QString::fromUtf8(e.what()));
            documents->clear();
            return false;
        }
    }
    return true;
}

} // namespace tdkube::deploy
