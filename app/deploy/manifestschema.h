#pragma once

#include <string_view>
#include <vector>

namespace tdkube::deploy::schema {

struct Type;

// What a field's value must be. Free-form maps (labels, data, resources.requests) accept any key;
// their values are checked against the map's value kind.
enum class Kind {
    String,
    Integer,
    Number,
    Boolean,
    IntOrString, // targetPort, probe ports, maxUnavailable
    Quantity,    // "500m", 4, "1Gi"
    StringMap,   // labels, annotations, ConfigMap data, selectors, nodeSelector
    QuantityMap, // resources.requests / limits
    Any,         // not checked (status, fields tdkube does not model)
    Object,      // a nested object with known fields: see Field::object
};

struct Field
{
    std::string_view name;
    Kind kind = Kind::Any;
    bool list = false;            // a YAML sequence of `kind`
    const Type *object = nullptr; // for Kind::Object
};

// The translation context of Type::description: a message shows
// QCoreApplication::translate(kTranslationContext, description.data()).
inline constexpr char kTranslationContext[] = "ManifestSchema";

// An object with known fields, e.g. a PodSpec. `description` names it in messages ("Pod spec"), in
// English (nul-terminated): see kTranslationContext.
struct Type
{
    std::string_view name;
    std::string_view description;
    std::vector<Field> fields;

    const Field *field(std::string_view name) const;
};

// The top-level type of a kind tdkube knows (v1 ConfigMap, Service, Namespace,
// PersistentVolumeClaim, Pod; apps/v1 StatefulSet), or null. Built once, on first use; thread-safe.
const Type *topLevelType(std::string_view apiVersion, std::string_view kind);
// The apiVersion a known kind lives in ("apps/v1" for StatefulSet), or empty for an unknown kind.
std::string_view apiVersionOf(std::string_view kind);
// The type's description for messages ("StatefulSet spec"), by type name; for tests and tools.
const Type *typeNamed(std::string_view name);

} // namespace tdkube::deploy::schema
