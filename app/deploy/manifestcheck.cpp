#include "deploy/manifestcheck.h"

#include "deploy/manifestschema.h"
#include "deploy/yamltext_p.h"

#include <QCoreApplication>
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

struct Text
{
    Q_DECLARE_TR_FUNCTIONS(ManifestCheck)
};

// A schema type's description ("Pod spec") in the language of the messages.
QString describeType(const schema::Type &type)
{
    return QCoreApplication::translate(schema::kTranslationContext, type.description.data());
}

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
                QCoreApplication::translate("ManifestCheck", "this document could not be read as YAML (%1)")
                    .arg(QString::fromUtf8(e.what())));
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
                Text::tr("tab in indentation: YAML indents with spaces only; replace the tab with spaces"));
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
    // yaml-cpp's messages, and what they mean for the one who wrote the YAML (translated when used).
    static const std::unordered_map<std::string, const char *> friendly{
        {"end of map not found",
         QT_TRANSLATE_NOOP("ManifestCheck",
                           "bad indentation: this line does not line up with the keys above it; indent it "
                           "exactly like the other keys of its map")},
        {"end of sequence not found",
         QT_TRANSLATE_NOOP(
             "ManifestCheck",
             "bad indentation in a list: this line does not line up with the list item above it; "
             "indent it like the other fields of the item")},
        {"illegal map value",
         QT_TRANSLATE_NOOP("ManifestCheck",
                           "unexpected \":\" here: a key cannot follow a value on the same line; check the "
                           "indentation, or quote a value that contains \": \"")},
        {"end of sequence flow not found",
         QT_TRANSLATE_NOOP("ManifestCheck", "a \"[\" list is not closed; add the missing \"]\"")},
        {"end of map flow not found",
         QT_TRANSLATE_NOOP("ManifestCheck", "a \"{\" map is not closed; add the missing \"}\"")},
        {"end of string not found",
         QT_TRANSLATE_NOOP("ManifestCheck", "unclosed quote; add the closing quote")},
        {"the referenced anchor is not defined",
         QT_TRANSLATE_NOOP("ManifestCheck",
                           "an alias (*name) refers to an anchor (&name) that is not defined "
                           "above it; define the anchor first")},
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
                    ? Text::tr("a \"[\" list is not closed; add the missing \"]\"")
                    : Text::tr("a \"{\" map is not closed; add the missing \"}\""));
            return;
        }
    }
    const auto it = friendly.find(message);
    const QString text = it != friendly.end()
                             ? QCoreApplication::translate("ManifestCheck", it->second)
                             //: %1 is yaml-cpp's own message, in English
                             : Text::tr("YAML syntax error: %1; fix the YAML here").arg(q(message));
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
                addAt(it->first, Text::tr("duplicate key %1 (first at line %2); remove one of them")
                                     .arg(quoted(it->first.Scalar()), QString::number(previous->second)));
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
            //: %2 is the quote character, ' or "
            add(mark, 1,
                Text::tr(
                    "unclosed quote: the string that starts here runs on into line %1; add the closing %2")
                    .arg(QString::number(next + 1), QString(QChar::fromLatin1(quote))));
            return;
        }
    }
    if (pos >= all.size())
        //: %1 is the quote character, ' or "
        add(mark, 1,
            Text::tr("unclosed quote: the string that starts here never ends; add the closing %1")
                .arg(QString(QChar::fromLatin1(quote))));
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
        //: %1: what the document is instead, e.g. "a list"
        addAt(root,
              Text::tr("a Kubernetes manifest is a map of fields (apiVersion, kind, metadata, ...), but "
                       "this document is %1; write it as \"key: value\" lines")
                  .arg(describe(root)));
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
            Text::tr("missing \"apiVersion\": every manifest needs one; add e.g. \"apiVersion: %1\"")
                .arg(example));
    } else if (!apiVersion.IsScalar() || resolve(apiVersion) != ScalarType::String) {
        addAt(apiVersion, Text::tr("\"apiVersion\" must be a string such as \"apps/v1\", but it is %1")
                              .arg(describe(apiVersion)));
    } else if (!expectedVersion.empty() && apiVersion.Scalar() != expectedVersion) {
        //: %1 is a kind (StatefulSet), %2 and %3 quoted apiVersions, %4 the right apiVersion unquoted
        addAt(apiVersion, Text::tr("%1 is served as %2, not %3; change apiVersion to %4")
                              .arg(q(kindName), quoted(expectedVersion), quoted(apiVersion.Scalar()),
                                   QString::fromLatin1(expectedVersion)));
    }
    if (!kind.IsDefined() || kind.IsNull())
        add(root.Mark(), 1,
            Text::tr("missing \"kind\": every manifest needs one; add e.g. \"kind: StatefulSet\""));
    else if (!kindIsString)
        addAt(
            kind,
            Text::tr("\"kind\" must be a string such as \"StatefulSet\", but it is %1").arg(describe(kind)));

    const YAML::Node metadata = child(root, "metadata");
    // `kubectl get -o yaml` of several objects gives a List, which has no name (its items are not
    // checked: a List is output, rarely edited and applied).
    const bool list = kindName.ends_with("List") && (!metadata.IsDefined() || metadata.IsMap());
    if (!list && (!metadata.IsDefined() || metadata.IsNull())) {
        add(root.Mark(), 1,
            Text::tr("missing \"metadata\" with a \"name\": every object needs a name; add \"metadata:\" and "
                     "\"  name: ...\""));
    } else if (!list && !metadata.IsMap()) {
        addAt(metadata, Text::tr("\"metadata\" must be a map (name, namespace, labels, ...), but it is %1")
                            .arg(describe(metadata)));
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
                  Text::tr("missing \"name\" in metadata: every object needs a name; add \"name: ...\" "
                           "(lowercase letters, digits and \"-\")"));
        }
        return;
    }
    if (!name.IsScalar() || resolve(name) != ScalarType::String) {
        addAt(name, Text::tr("metadata.name must be a string, but it is %1; quote it").arg(describe(name)));
        return;
    }
    const QString value = q(name.Scalar());
    if (kind == "Service" && !isDns1035Label(value)) {
        addAt(name, Text::tr("\"%1\" is not a valid Service name: use at most 63 lowercase letters, digits "
                             "and \"-\", starting with a letter and ending with a letter or digit")
                        .arg(value));
    } else if (kind == "Namespace" && !isDns1123Label(value)) {
        addAt(name, Text::tr("\"%1\" is not a valid Namespace name: use at most 63 lowercase letters, digits "
                             "and \"-\", starting and ending with a letter or digit")
                        .arg(value));
    } else if (!isDns1123Subdomain(value)) {
        addAt(name, Text::tr("\"%1\" is not a valid name: use lowercase letters, digits, \"-\" and \".\", "
                             "starting and ending with a letter or digit (DNS-1123)")
                        .arg(value));
    }
    const YAML::Node ns = child(metadata, "namespace");
    if (ns.IsScalar() && resolve(ns) == ScalarType::String && !isDns1123Label(q(ns.Scalar()))) {
        addAt(ns, Text::tr("%1 is not a valid namespace: use at most 63 lowercase letters, digits and "
                           "\"-\", starting and ending with a letter or digit")
                      .arg(quoted(ns.Scalar())));
    }
}

void DocumentChecker::checkObject(const YAML::Node &map, const schema::Type &type, int depth, Skip skip)
{
    if (depth > kMaxDepth)
        return;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            addAt(key, Text::tr("a field name must be plain text, but this key is %1").arg(describe(key)));
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
            addAt(key,
                  Text::tr("\"serviceAccount\" is deprecated and may be ignored; use \"serviceAccountName\""),
                  Severity::Warning);
        }
        if (field) {
            checkField(key, it->second, *field, depth + 1);
            continue;
        }
        const std::string_view guess = suggestion(type, name);
        if (guess.empty())
            //: %1 is a quoted field name, %2 what holds it ("Pod spec", "container")
            addAt(key, Text::tr("unknown field %1 in %2; remove it, or check its spelling and indentation")
                           .arg(quoted(name), describeType(type)));
        else
            //: %1 is a quoted field name, %2 what holds it ("Pod spec", "container"), %3 the field meant
            addAt(key, Text::tr("unknown field %1 in %2; did you mean %3?")
                           .arg(quoted(name), describeType(type), quoted(guess)));
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
              Text::tr("%1 must be a list (one \"- \" item per entry), but it is %2")
                  .arg(quoted(key.Scalar()), describe(value)));
        return;
    }
    for (const YAML::Node &item : value)
        checkValue(key, item, field, depth);
}

void DocumentChecker::checkValue(const YAML::Node &key, const YAML::Node &value, const schema::Field &field,
                                 int depth)
{
    //: the subject of a message such as "%1 must be a map ...": %1 is a quoted field name ("ports")
    const QString what =
        field.list ? Text::tr("items of %1").arg(quoted(key.Scalar())) : quoted(key.Scalar());
    const YAML::Node &at = value.IsScalar() ? value : key;
    switch (field.kind) {
    case Kind::Any:
        return;
    case Kind::Object:
        if (!value.IsMap() && field.list)
            //: %1: the items of a field, %2 what they are ("container"), %3 what this item is instead
            addAt(at, Text::tr("%1 must be a map (%2), but this one is %3")
                          .arg(what, describeType(*field.object), describe(value)));
        else if (!value.IsMap())
            //: %1: a quoted field name, %2 what it is ("Pod spec"), %3 what it is instead ("a list")
            addAt(at, Text::tr("%1 must be a map (%2), but it is %3")
                          .arg(what, describeType(*field.object), describe(value)));
        else
            checkObject(value, *field.object, depth);
        return;
    case Kind::StringMap:
    case Kind::QuantityMap:
        if (!value.IsMap()) {
            addAt(at, Text::tr("%1 must be a map of \"key: value\" lines, but it is %2")
                          .arg(what, describe(value)));
            return;
        }
        for (auto it = value.begin(); it != value.end(); ++it) {
            if (it->first.IsScalar() && !it->second.IsNull())
                //: the subject of a message such as "%1 must be a string ...": a quoted key in a
                //: quoted map field ("labels")
                checkScalar(
                    it->first, it->second, field.kind == Kind::StringMap ? Kind::String : Kind::Quantity,
                    Text::tr("the value of %1 in %2").arg(quoted(it->first.Scalar()), quoted(key.Scalar())));
        }
        return;
    default:
        checkScalar(key, value, field.kind, what);
    }
}

void DocumentChecker::checkScalar(const YAML::Node &key, const YAML::Node &value, Kind kind,
                                  const QString &what)
{
    if (!value.IsScalar()) {
        // What a value of `kind` must be, for "%1 must be %2, but it is %3".
        static const std::unordered_map<int, const char *> expected{
            {int(Kind::String), QT_TRANSLATE_NOOP("ManifestCheck", "a string")},
            {int(Kind::Integer), QT_TRANSLATE_NOOP("ManifestCheck", "an integer")},
            {int(Kind::Number), QT_TRANSLATE_NOOP("ManifestCheck", "a number")},
            {int(Kind::Boolean), QT_TRANSLATE_NOOP("ManifestCheck", "true or false")},
            {int(Kind::IntOrString), QT_TRANSLATE_NOOP("ManifestCheck", "an integer or a name")},
            {int(Kind::Quantity), QT_TRANSLATE_NOOP("ManifestCheck", "a quantity such as 500m or 1Gi")}};
        //: %1: a quoted field name, %2 what its value must be ("an integer"), %3 what it is ("a map")
        addAt(key, Text::tr("%1 must be %2, but it is %3")
                       .arg(what, QCoreApplication::translate("ManifestCheck", expected.at(int(kind))),
                            describe(value)));
        return;
    }
    const ScalarType type = resolve(value);
    const QString shown = q(value.Scalar());
    switch (kind) {
    case Kind::String:
        if (type == ScalarType::Null || type == ScalarType::String)
            return;
        //: %1: a quoted field name, %2 its value as written, %3 what YAML reads it as ("a boolean")
        addAt(value, Text::tr("%1 must be a string, but %2 is read as %3; quote it: \"%2\"")
                         .arg(what, shown, describe(type)));
        return;
    case Kind::Integer:
        if (type == ScalarType::Int)
            return;
        if (type == ScalarType::String && (isInteger(value.Scalar())))
            addAt(value, Text::tr("%1 must be an integer, but \"%2\" is a string; remove the quotes")
                             .arg(what, shown));
        else
            addAt(value, Text::tr("%1 must be an integer, but %2 is %3; write a whole number")
                             .arg(what, shown, describe(type)));
        return;
    case Kind::Number:
        if (type == ScalarType::Int || type == ScalarType::Float)
            return;
        addAt(value, Text::tr("%1 must be a number, but %2 is %3; remove any quotes")
                         .arg(what, shown, describe(type)));
        return;
    case Kind::Boolean:
        if (type == ScalarType::Bool)
            return;
        addAt(value,
              type == ScalarType::String
                  ? Text::tr("%1 must be true or false, but %2 is %3; remove the quotes")
                        .arg(what, shown, describe(type))
                  : Text::tr("%1 must be true or false, but %2 is %3").arg(what, shown, describe(type)));
        return;
    case Kind::IntOrString:
        if (type == ScalarType::Int || type == ScalarType::String)
            return;
        addAt(value, Text::tr("%1 must be a port number or a port name, but %2 is %3")
                         .arg(what, shown, describe(type)));
        return;
    case Kind::Quantity:
        if (type == ScalarType::Int || type == ScalarType::Float ||
            (type == ScalarType::String && isQuantity(value.Scalar())))
            return;
        addAt(value, Text::tr("%1: %2 is not a Kubernetes quantity; write e.g. 500m or 2 (CPU), 512Mi or 4Gi "
                              "(memory, storage)")
                         .arg(what, quoted(value.Scalar())));
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
                                  Text::tr("this document could not be checked (%1); the YAML itself is fine")
                                      .arg(QString::fromUtf8(e.what()))});
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
                *error = Text::tr("line %1, column %2: %3")
                             .arg(QString::number(first.line), QString::number(first.column), first.message);
            documents->clear();
            return false;
        }
        if (root.IsNull())
            continue;
        const int line = chunk.firstLine + root.Mark().line + 1;
        if (!root.IsMap()) {
            if (error)
                *error =
                    Text::tr("line %1: this document is %2, not a map of fields (apiVersion, kind, ...); "
                             "write it as \"key: value\" lines")
                        .arg(QString::number(line), describe(root));
            documents->clear();
            return false;
        }
        try {
            documents->append(ManifestDocument{toJson(root, 0, kMaxDepth).toObject(), line});
        } catch (const std::exception &e) {
            if (error)
                *error = Text::tr("line %1: the document could not be converted (%2)")
                             .arg(QString::number(line), QString::fromUtf8(e.what()));
            documents->clear();
            return false;
        }
    }
    return true;
}

} // namespace tdkube::deploy
