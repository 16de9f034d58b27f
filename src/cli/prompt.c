#include "cli/prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"

static void trim_line(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
        s[--n] = '\0';
}

int prompt_mfa_code(void *ctx, const char *serial, char *code, size_t code_len)
{
    (void)ctx;
    if (isatty(STDIN_FILENO)) {
        char *shown = escape_str(serial); /* from a config file */
        fprintf(stderr, "MFA code for %s: ", shown);
        fflush(stderr);
        free(shown);
    }
    if (!fgets(code, (int)code_len, stdin))
        return -1;
    trim_line(code);
    return code[0] ? 0 : -1;
}
