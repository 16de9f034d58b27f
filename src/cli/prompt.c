#include "cli/prompt.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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
        fprintf(stderr, "MFA code for %s: ", serial);
        fflush(stderr);
    }
    if (!fgets(code, (int)code_len, stdin))
        return -1;
    trim_line(code);
    return code[0] ? 0 : -1;
}
