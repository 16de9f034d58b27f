/* Role ARNs pasted by the operator. Beyond not crashing: an ARN that is
 * accepted is printable ASCII and its parts are what the text says. */
#include "engine/arn.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *arn = fuzz_cstr(data, size);
    role_arn r;
    sc_error err = {0};
    status_t st = arn_parse_role(arn, NULL, NULL, &r, &err);
    if (st == ST_OK) {
        for (const unsigned char *p = (const unsigned char *)arn; *p; p++)
            if (*p < 0x21 || *p > 0x7e)
                abort();
        if (strlen(r.account) != 12 || !strstr(arn, r.account) || !strstr(arn, r.name))
            abort();
    }
    (void)arn_parse_role(arn, "aws", "123456789012", &r, &err);
    free(arn);
    return 0;
}
