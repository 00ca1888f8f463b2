// API `Status` errors: a response body read as the Status it should be (ApiStatus::fromJson, as for
// a watch's ERROR event) and as the body of a failed reply with each HTTP code tdkube treats apart
// (ApiStatus::fromHttp), then described as a person reads it.

#include "fuzzing.h"
#include "kube/apistatus.h"

using namespace tdkube;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = fuzz::bytes(data, size);
    const kube::ApiStatus status = kube::ApiStatus::fromJson(body);
    size_t sum = fuzz::consume(status.describe());
    for (const int code : {0, 400, 401, 403, 404, 409, 410, 422, 429, 500, 503, 504}) {
        const kube::ApiStatus fromHttp = kube::ApiStatus::fromHttp(code, body);
        fuzz::require(fromHttp.isValid(), "a failed reply always has a Status");
        sum += fuzz::consume(fromHttp.describe());
    }
    fuzz::sink(sum);
    return 0;
}
