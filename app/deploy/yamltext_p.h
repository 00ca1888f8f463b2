#pragma once

// The YAML text under the manifest checker: line/column bookkeeping, document splitting and
// scalar typing as kubectl does it. Private to app/deploy.

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>
#include <yaml-cpp/yaml.h>

namespace tdkube::deploy::yamltext {

// The whole text with its line starts, to turn yaml-cpp's marks (bytes, 0-based, relative to the
// document) into 1-based lines and UTF-16 columns of the whole file, and to look at the source of
// a node (its quotes, its length).
class Source
{
public:
    explicit Source(const QByteArray &text)
        : m_text(text)
    {
        m_starts.push_back(0);
        for (qsizetype i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1))
            m_starts.push_back(int(i + 1));
    }

    int lineCount() const { return int(m_starts.size()); }
    int lineStart(int line) const { return m_starts[size_t(line)]; }
    const QByteArray &text() const { return m_text; }

    QByteArrayView line(int line) const
    {
        const int start = m_starts[size_t(line)];
        int end = line + 1 < lineCount() ? m_starts[size_t(line + 1)] - 1 : int(m_text.size());
        if (end > start && m_text[end - 1] == '\r')
            --end;
        return QByteArrayView(m_text).sliced(start, end - start);
    }

    // 1-based UTF-16 column of the byte `byteColumn` (0-based) of `line` (0-based).
    int column(int line, int byteColumn) const
    {
        const QByteArrayView prefix =
            this->line(line).first(std::min<qsizetype>(byteColumn, this->line(line).size()));
        const bool ascii = std::all_of(prefix.begin(), prefix.end(), [](char c) { return uchar(c) < 0x80; });
        return int(ascii ? prefix.size() : QString::fromUtf8(prefix).size()) + 1;
    }

    // UTF-16 length of the token at `byteColumn`: a quoted scalar up to its closing quote on that
    // line, else up to ": ", " #", a flow delimiter or the end of the line.
    int tokenLength(int line, int byteColumn) const
    {
        const QByteArrayView text = this->line(line);
        if (byteColumn >= text.size())
            return 1;
        qsizetype end = byteColumn + 1;
        const char first = text[byteColumn];
        if (first == '"' || first == '\'') {
            while (end < text.size() && text[end] != first)
                end += text[end] == '\\' && first == '"' ? 2 : 1;
            end = std::min(end + 1, text.size());
        } else {
            while (end < text.size()) {
                const char c = text[end];
                const char next = end + 1 < text.size() ? text[end + 1] : ' ';
                if ((c == ':' && next == ' ') || (c == ' ' && next == '#') || c == ',' || c == ']' ||
                    c == '}')
                    break;
                ++end;
            }
            while (end > byteColumn + 1 && text[end - 1] == ' ')
                --end;
        }
        return std::max(1, column(line, int(end)) - column(line, byteColumn));
    }

private:
    const QByteArray &m_text;
    std::vector<int> m_starts;
};

// One YAML document's lines: [firstLine, endLine). Documents are split at `---` and after `...`
// lines ourselves, so that a syntax error in one document does not hide the others' problems.
struct Chunk
{
    int firstLine = 0;
    int endLine = 0;
};

std::vector<Chunk> splitDocuments(const Source &source);

// A plain scalar's type as kubectl (sigs.k8s.io/yaml, go-yaml v2: YAML 1.1) reads it.
enum class ScalarType { Null, Bool, Int, Float, String };

bool isInteger(std::string_view s);
ScalarType resolve(const YAML::Node &node);
QString describe(ScalarType type);
QString describe(const YAML::Node &node); // "a map", "a list", "an integer", ...
// The node as JSON, scalars typed by resolve(). Nesting deeper than `maxDepth` becomes null.
QJsonValue toJson(const YAML::Node &node, int depth, int maxDepth);

} // namespace tdkube::deploy::yamltext
