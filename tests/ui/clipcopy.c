/* Test driver: copies stdin with the terminal on fd 1, the way the wizard
 * does, then prints the result on stderr.
 *     clipcopy LABEL FILE_NAME DIR < text */
#include "clipboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char *read_stdin(size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (size_t k; buf && (k = fread(buf + n, 1, cap - n, stdin)) > 0;) {
        n += k;
        if (n == cap) {
            char *more = realloc(buf, cap *= 2);
            if (!more)
                free(buf);
            buf = more;
        }
    }
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: clipcopy LABEL FILE_NAME DIR < text\n");
        return 2;
    }
    size_t len;
    char *text = read_stdin(&len);
    if (!text)
        return 1;
    clip_env e;
    clip_env_detect(&e, STDOUT_FILENO, argv[3]);
    clip_result r;
    int rc = clip_copy(&e, argv[1], argv[2], text, len, &r);
    fprintf(stderr,
            "rc=%d osc52=%d tmux_buffer=%d screen_dcs=%d local_tool=%d tool=%s too_big=%d\n", rc,
            r.osc52, r.tmux_buffer, r.screen_dcs, r.local_tool, r.tool, r.too_big);
    fprintf(stderr, "file=%s\nmessage=%s\n", r.file, r.message);
    free(text);
    return rc ? 1 : 0;
}
