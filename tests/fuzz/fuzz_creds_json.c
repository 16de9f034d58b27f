/* What credential_process prints (and container/IMDS answers, which go
 * through the same reader with other field names); the first byte picks
 * the spec. */
#include "aws/creds/creds_internal.h"
#include "fuzz.h"

static const creds_json_spec specs[] = {
    {.token_field = "SessionToken", .version_required = 1}, /* credential_process */
    {.token_field = "Token", .token_required = 1, .expiration_required = 1}, /* metadata */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const creds_json_spec *spec = &specs[size ? data[0] % 2 : 0];
    char *text = fuzz_cstr(size ? data + 1 : data, size ? size - 1 : 0);
    aws_credentials c = {0};
    char problem[128];
    if (creds_json_parse(text, spec, &c, problem, sizeof problem) == 0 &&
        (!c.access_key_id || !c.secret_access_key))
        abort();
    aws_credentials_clear(&c);
    free(text);
    return 0;
}
