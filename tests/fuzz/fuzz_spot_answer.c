/* Every Spot API answer, 200 or error, goes through spot_answer_parse. The
 * first byte picks the HTTP status, so the error envelope is reached too. */
#include "fuzz.h"
#include "spot/spot_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const long statuses[] = {200, 400, 401, 403, 404, 429, 500, 503};
    long status = size ? statuses[data[0] % 8] : 200;
    const char *body = size ? (const char *)data + 1 : "";
    size_t len = size ? size - 1 : 0;
    spot_answer a;
    sc_error err = {0};
    if (spot_answer_parse(status, body, len, "tok-secret", &a, &err) == ST_OK) {
        for (size_t i = 0; a.items && i < a.items->u.array.len; i++) {
            spot_account acct;
            if (spot_account_from_json(a.items->u.array.values[i], &acct) == ST_OK)
                spot_account_free(&acct);
        }
        spot_answer_free(&a);
    }
    return 0;
}
