/* credential_process command lines and quoted profile names. A split that
 * succeeds gives count words and a NULL after them, as exec needs. */
#include "fuzz.h"
#include "util/shlex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);
    shlex_words w = {0};
    const char *why = NULL;
    if (shlex_split(s, &w, &why) == 0) {
        if (!w.words || w.words[w.count] != NULL)
            abort();
        for (size_t i = 0; i < w.count; i++)
            if (!w.words[i])
                abort();
    } else if (!why) {
        abort();
    }
    shlex_free(&w);
    free(s);
    return 0;
}
