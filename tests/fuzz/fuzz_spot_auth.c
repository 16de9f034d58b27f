/* ~/.spotinst/credentials in any of its three forms; the first byte picks
 * the profile asked for. A token that is accepted is fit for a header. */
#include "fuzz.h"
#include "spot/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *profile = size && (data[0] & 1) ? "prod" : "default";
    spot_auth a;
    sc_error err = {0};
    status_t st = spot_auth_parse_text(size ? (const char *)data + 1 : "", size ? size - 1 : 0,
                                       profile, &a, &err);
    if (st == ST_OK && a.token)
        for (const unsigned char *p = (const unsigned char *)a.token; *p; p++)
            if (*p < 0x21 || *p == 0x7f)
                abort();
    spot_auth_clear(&a);
    return 0;
}
