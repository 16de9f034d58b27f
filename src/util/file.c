#include "util/file.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

static void wipe_free(char *p, size_t n)
{
    if (p)
        OPENSSL_cleanse(p, n);
    free(p);
}

/* A new buffer of cap bytes holding the first n of old; old is wiped. */
static char *grow(char *old, size_t n, size_t cap)
{
    char *t = xmalloc(cap);
    if (n)
        memcpy(t, old, n);
    wipe_free(old, n);
    return t;
}

int file_read_all(int fd, size_t max, char **text, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    int regular = S_ISREG(st.st_mode);
    if (regular && (st.st_size < 0 || (size_t)st.st_size > max))
        return EFBIG;
    /* One byte more than expected, to see whether more is coming. */
    size_t cap = (regular ? (size_t)st.st_size : 4096) + 2, n = 0;
    char *t = xmalloc(cap);
    for (;;) {
        if (n + 1 == cap) {
            if (n > max)
                break;
            t = grow(t, n, cap * 2);
            cap *= 2;
        }
        ssize_t r = read(fd, t + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            wipe_free(t, cap);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    if (n > max) {
        wipe_free(t, cap);
        return EFBIG;
    }
    t[n] = '\0';
    *text = t;
    if (len)
        *len = n;
    return 0;
}

static const char *size_text(size_t max, char *tmp, size_t tmp_len)
{
    const size_t mib = (size_t)1024 * 1024;
    if (max >= mib && max % mib == 0)
        snprintf(tmp, tmp_len, "%zu MiB", max / mib);
    else
        snprintf(tmp, tmp_len, "%zu bytes", max);
    return tmp;
}

status_t file_read(const char *path, const char *shown, size_t max, int flags, status_t fail,
                   char **text, size_t *len, sc_error *err)
{
    *text = NULL;
    if (len)
        *len = 0;
    int nofollow = flags & FILE_NO_SYMLINK ? O_NOFOLLOW : 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | nofollow);
    if (fd < 0 && errno == ELOOP && nofollow)
        return error_set(err, fail, "%s is a symbolic link; refusing it (move it away)", shown);
    if (fd < 0) {
        if ((flags & FILE_MISSING_OK) && (errno == ENOENT || errno == ENOTDIR))
            return ST_OK;
        return error_set(err, fail, "cannot read %s: %s", shown, strerror(errno));
    }
    int e = file_read_all(fd, max, text, len);
    close(fd);
    char tmp[32];
    if (e == EISDIR)
        return error_set(err, fail, "cannot read %s: it is a directory", shown);
    /* No file of that size is valid: the operator named the wrong one. */
    if (e == EFBIG)
        return error_set(err, ST_BAD_INPUT, "cannot read %s: larger than %s", shown,
                         size_text(max, tmp, sizeof tmp));
    if (e)
        return error_set(err, fail, "cannot read %s: %s", shown, strerror(e));
    return ST_OK;
}
