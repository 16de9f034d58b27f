/* ~/.aws/config and ~/.aws/credentials (and the INI form of the Spot
 * credentials file), in both duplicate modes, with the lookups and the
 * nested-block readers botocore-style profiles use. */
#include "fuzz.h"
#include "util/ini.h"

static void walk(const ini_file *f)
{
    char out[64];
    for (size_t i = 0; i < f->count && i < 64; i++) { /* lookups are linear */
        const ini_section *s = &f->sections[i];
        if (ini_find_section(f, s->name) == NULL)
            abort();
        for (size_t j = 0; j < s->count; j++) {
            (void)ini_nested_check(s->entries[j].value);
            (void)ini_nested_get(s->entries[j].value, "region", out, sizeof out);
        }
    }
    (void)ini_get(ini_find_section(f, "default"), "region");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (unsigned flags = 0; flags <= INI_ALLOW_DUPLICATES; flags += INI_ALLOW_DUPLICATES) {
        ini_file *f = NULL;
        ini_error err;
        if (ini_parse((const char *)data, size, flags, &f, &err) == 0)
            walk(f);
        ini_free(f);
    }
    return 0;
}
