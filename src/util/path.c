#include "util/path.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/buf.h"

static int path_isword(char c)
{
    return ascii_isalnum((unsigned char)c) || c == '_';
}

/* Length of the variable reference at s ("$NAME" or "${...}"), 0 if none;
 * the name is copied into name. */
static size_t path_var_ref(const char *s, char *name, size_t name_len)
{
    size_t n = 1, start, len;
    if (s[1] == '{') {
        const char *close = strchr(s + 2, '}');
        if (!close)
            return 0;
        start = 2;
        len = (size_t)(close - s - 2);
        n = len + 3;
    } else {
        while (path_isword(s[n]))
            n++;
        if (n == 1)
            return 0;
        start = 1;
        len = n - 1;
    }
    if (len >= name_len)
        return 0;
    memcpy(name, s + start, len);
    name[len] = '\0';
    return n;
}

static void path_expandvars(const char *path, buf_t *b)
{
    for (const char *s = path; *s;) {
        char name[256];
        size_t n = *s == '$' ? path_var_ref(s, name, sizeof name) : 0;
        const char *v = n ? getenv(name) : NULL;
        if (v) {
            buf_puts(b, v);
            s += n;
        } else if (n) {
            buf_append(b, s, n);
            s += n;
        } else {
            buf_putc(b, *s++);
        }
    }
}

static const char *path_home_of(const char *user, size_t len)
{
    if (len == 0) {
        const char *home = getenv("HOME");
        if (home)
            return home;
        struct passwd *pw = getpwuid(getuid());
        return pw ? pw->pw_dir : NULL;
    }
    char name[256];
    if (len >= sizeof name)
        return NULL;
    memcpy(name, user, len);
    name[len] = '\0';
    struct passwd *pw = getpwnam(name);
    return pw ? pw->pw_dir : NULL;
}

static char *path_expanduser(char *path)
{
    if (path[0] != '~')
        return path;
    const char *slash = strchr(path + 1, '/');
    size_t ulen = slash ? (size_t)(slash - path - 1) : strlen(path + 1);
    const char *home = path_home_of(path + 1, ulen);
    if (!home)
        return path;
    size_t hlen = strlen(home);
    while (hlen > 0 && home[hlen - 1] == '/')
        hlen--;
    buf_t b = BUF_INIT;
    buf_append(&b, home, hlen);
    buf_puts(&b, path + 1 + ulen);
    if (b.len == 0)
        buf_putc(&b, '/');
    free(path);
    return buf_steal(&b);
}

char *path_expand(const char *path)
{
    buf_t b = BUF_INIT;
    path_expandvars(path, &b);
    return path_expanduser(buf_steal(&b));
}
