#include "util/file.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

int file_read_all(int fd, size_t max, char **text, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return errno;
    if (S_ISDIR(st.st_mode))
        return EISDIR;
    if (st.st_size < 0 || (size_t)st.st_size > max)
        return EFBIG;
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *t = xmalloc(cap);
    while (n + 1 < cap) {
        ssize_t r = read(fd, t + n, cap - 1 - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            OPENSSL_cleanse(t, cap);
            free(t);
            return e;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    t[n] = '\0';
    *text = t;
    if (len)
        *len = n;
    return 0;
}
