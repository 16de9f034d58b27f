/* What the clipboard suites share: a scratch directory per case, fake
 * helper programs on a private PATH, and a pipe or pty read back as the
 * terminal. Header-only, as check.h is: its checks count in the suite that
 * includes it. */
#ifndef SC_TEST_CLIP_FIXTURE_H
#define SC_TEST_CLIP_FIXTURE_H

#include "clipboard.h"

#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../unit/check.h"

static char clipfx_tmp[256]; /* per-case clipfx_scratch directory */

static inline int clipfx_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static inline void clipfx_scratch(void)
{
    if (clipfx_tmp[0])
        nftw(clipfx_tmp, clipfx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    snprintf(clipfx_tmp, sizeof clipfx_tmp, "/tmp/sc-clip-XXXXXX");
    if (!mkdtemp(clipfx_tmp))
        abort();
}

static inline const char *clipfx_in_tmp(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", clipfx_tmp, name);
    return buf[i];
}

/* A quiet environment: no multiplexer, no display, no helpers on PATH. */
static inline clip_env clipfx_plain_env(int tty_fd)
{
    clip_env e = {
        .tty_fd = tty_fd, .over_ssh = 1, .path = clipfx_tmp, .file_dir = clipfx_in_tmp("state")};
    return e;
}

static inline char *clipfx_slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20;
    char *b = calloc(1, cap + 1);
    *n = fread(b, 1, cap, f);
    fclose(f);
    return b;
}

static inline void clipfx_write_script(const char *name, const char *body)
{
    const char *p = clipfx_in_tmp(name);
    FILE *f = fopen(p, "w");
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(p, 0755);
}

static inline unsigned char *clipfx_unbase64(const char *b64, size_t n, size_t *len)
{
    unsigned char *out = malloc(n / 4 * 3 + 1);
    int r = EVP_DecodeBlock(out, (const unsigned char *)b64, (int)n);
    if (r < 0) {
        free(out);
        return NULL;
    }
    /* EVP_DecodeBlock counts padding as zero bytes. */
    size_t pad = (n > 0 && b64[n - 1] == '=') + (n > 1 && b64[n - 2] == '=');
    *len = (size_t)r - pad;
    return out;
}

/* ---- reading what went to the "terminal" ---- */

typedef struct clipfx_reader {
    int fd;
    char *buf;
    size_t n, cap;
} clipfx_reader;

static inline void *clipfx_drain(void *arg)
{
    clipfx_reader *r = arg;
    for (;;) {
        if (r->n == r->cap)
            r->buf = realloc(r->buf, r->cap = r->cap * 2 + 4096);
        ssize_t k = read(r->fd, r->buf + r->n, r->cap - r->n);
        if (k <= 0)
            break;
        r->n += (size_t)k;
        usleep(1000); /* slow clipfx_reader: the writer must cope with a full pipe */
    }
    return NULL;
}

typedef struct clipfx_captured {
    char *bytes; /* what the terminal received */
    size_t n;
    int rc;
    clip_result res;
} clipfx_captured;

/* Runs clip_copy with a pipe as the terminal; the pipe's write end is
 * non-blocking, so a large sequence meets EAGAIN and partial writes. */
static inline clipfx_captured clipfx_run_copy(clip_env e, const char *label, const char *name,
                                              const char *text, size_t len)
{
    int p[2];
    if (pipe(p) < 0)
        abort();
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    clipfx_reader r = {.fd = p[0]};
    pthread_t th;
    pthread_create(&th, NULL, clipfx_drain, &r);
    e.tty_fd = p[1];
    clipfx_captured c = {0};
    c.rc = clip_copy(&e, label, name, text, len, &c.res);
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    c.bytes = r.buf;
    c.n = r.n;
    return c;
}

/* Checks bytes are exactly ESC ] 52 ; c ; <b64> ESC \ of text. */
static inline void clipfx_check_osc52(const char *bytes, size_t n, const char *text, size_t len)
{
    CHECK(n >= 9);
    if (n < 9)
        return;
    CHECK(memcmp(bytes, "\033]52;c;", 7) == 0);
    CHECK(memcmp(bytes + n - 2, "\033\\", 2) == 0);
    CHECK(memchr(bytes + 7, '\n', n - 9) == NULL);
    CHECK(memchr(bytes + 7, '\033', n - 9) == NULL);
    size_t got = 0;
    unsigned char *dec = clipfx_unbase64(bytes + 7, n - 9, &got);
    CHECK(dec != NULL);
    CHECK_INT(got, len);
    CHECK(dec && got == len && memcmp(dec, text, len) == 0);
    free(dec);
}

/* Removes the last scratch directory. */
static inline void clipfx_cleanup(void)
{
    if (clipfx_tmp[0])
        nftw(clipfx_tmp, clipfx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
