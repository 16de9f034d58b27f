/* The copy chain: exact escape bytes read back from a pipe or pty, the
 * saved file, and which helper programs run (fake ones first on PATH). */
#include "clipboard.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <openssl/evp.h>
#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"

static char tmp[256]; /* per-case scratch directory */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
    (void)st, (void)flag, (void)f;
    return remove(p);
}

static void scratch(void)
{
    if (tmp[0])
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    snprintf(tmp, sizeof tmp, "/tmp/sc-clip-XXXXXX");
    if (!mkdtemp(tmp))
        abort();
}

static const char *in_tmp(const char *name)
{
    static char buf[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", tmp, name);
    return buf[i];
}

/* A quiet environment: no multiplexer, no display, no helpers on PATH. */
static clip_env plain_env(int tty_fd)
{
    clip_env e = {.tty_fd = tty_fd, .over_ssh = 1, .path = tmp, .file_dir = in_tmp("state")};
    return e;
}

static char *slurp(const char *path, size_t *n)
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

static void write_script(const char *name, const char *body)
{
    const char *p = in_tmp(name);
    FILE *f = fopen(p, "w");
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    chmod(p, 0755);
}

static unsigned char *unbase64(const char *b64, size_t n, size_t *len)
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

typedef struct reader {
    int fd;
    char *buf;
    size_t n, cap;
} reader;

static void *drain(void *arg)
{
    reader *r = arg;
    for (;;) {
        if (r->n == r->cap)
            r->buf = realloc(r->buf, r->cap = r->cap * 2 + 4096);
        ssize_t k = read(r->fd, r->buf + r->n, r->cap - r->n);
        if (k <= 0)
            break;
        r->n += (size_t)k;
        usleep(1000); /* slow reader: the writer must cope with a full pipe */
    }
    return NULL;
}

typedef struct captured {
    char *bytes; /* what the terminal received */
    size_t n;
    int rc;
    clip_result res;
} captured;

/* Runs clip_copy with a pipe as the terminal; the pipe's write end is
 * non-blocking, so a large sequence meets EAGAIN and partial writes. */
static captured run_copy(clip_env e, const char *label, const char *name, const char *text,
                         size_t len)
{
    int p[2];
    if (pipe(p) < 0)
        abort();
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    reader r = {.fd = p[0]};
    pthread_t th;
    pthread_create(&th, NULL, drain, &r);
    e.tty_fd = p[1];
    captured c = {0};
    c.rc = clip_copy(&e, label, name, text, len, &c.res);
    close(p[1]);
    pthread_join(th, NULL);
    close(p[0]);
    c.bytes = r.buf;
    c.n = r.n;
    return c;
}

/* Checks bytes are exactly ESC ] 52 ; c ; <b64> ESC \ of text. */
static void check_osc52(const char *bytes, size_t n, const char *text, size_t len)
{
    CHECK(n >= 9);
    if (n < 9)
        return;
    CHECK(memcmp(bytes, "\033]52;c;", 7) == 0);
    CHECK(memcmp(bytes + n - 2, "\033\\", 2) == 0);
    CHECK(memchr(bytes + 7, '\n', n - 9) == NULL);
    CHECK(memchr(bytes + 7, '\033', n - 9) == NULL);
    size_t got;
    unsigned char *dec = unbase64(bytes + 7, n - 9, &got);
    CHECK(dec != NULL);
    CHECK_INT(got, len);
    CHECK(dec && got == len && memcmp(dec, text, len) == 0);
    free(dec);
}

/* ---- cases ---- */

static void test_base64_vectors(void)
{
    static const char *v[][2] = {{"", ""},
                                 {"f", "Zg=="},
                                 {"fo", "Zm8="},
                                 {"foo", "Zm9v"},
                                 {"foob", "Zm9vYg=="},
                                 {"fooba", "Zm9vYmE="},
                                 {"foobar", "Zm9vYmFy"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        size_t n;
        char *b = clip_base64(v[i][0], strlen(v[i][0]), &n);
        CHECK_STR(b, v[i][1]);
        CHECK_INT(n, strlen(v[i][1]));
        free(b);
    }
}

static void test_osc52_plain_exact_bytes(void)
{
    scratch();
    /* Binary on purpose: NUL, ESC, BEL, high bytes, newlines. */
    static const char text[] = "{\n  \"a\": \"\033]0;x\a\"\n}\0\xff\xfe tail";
    size_t len = sizeof text - 1;
    captured c = run_copy(plain_env(-1), "policy", "spot-policy.json", text, len);
    CHECK_INT(c.rc, 0);
    CHECK_INT(c.res.osc52, 1);
    CHECK_INT(c.res.tmux_buffer, 0);
    CHECK_INT(c.res.screen_dcs, 0);
    check_osc52(c.bytes, c.n, text, len);
    char want[512];
    snprintf(want, sizeof want,
             "policy sent to the terminal clipboard (OSC 52); also saved to %s/state/"
             "spot-policy.json",
             tmp);
    CHECK_STR(c.res.message, want);
    free(c.bytes);
}

static void test_osc52_over_a_pty(void)
{
    scratch();
    int master, slave;
    CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t); /* the wizard's curses mode: no output translation */
    tcsetattr(slave, TCSANOW, &t);
    const char *text = "arn:aws:iam::123456789012:role/SpotByNetApp";
    clip_env e = plain_env(slave);
    clip_result r;
    CHECK_INT(clip_copy(&e, "role ARN", "role-arn.txt", text, strlen(text), &r), 0);
    char buf[512];
    size_t n = 0;
    /* Read until the sequence's terminator, not until a pause: the pty
     * passes bytes on later than the write on a loaded machine (30 s at
     * most, a deadline for a lost write). */
    while (n < sizeof buf && !(n >= 2 && memcmp(buf + n - 2, "\033\\", 2) == 0)) {
        struct pollfd p = {.fd = master, .events = POLLIN};
        if (poll(&p, 1, 30000) <= 0)
            break;
        ssize_t k = read(master, buf + n, sizeof buf - n);
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    check_osc52(buf, n, text, strlen(text));
    close(master);
    close(slave);
}

static void test_long_text_partial_writes(void)
{
    scratch();
    size_t len = CLIP_MAX_TERMINAL; /* right at the limit: still sent */
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)(i * 7 + i / 13);
    captured c = run_copy(plain_env(-1), "policy", "spot-policy.json", text, len);
    CHECK_INT(c.res.too_big, 0);
    CHECK_INT(c.res.osc52, 1);
    check_osc52(c.bytes, c.n, text, len);
    free(c.bytes);
    free(text);
}

static void test_tmux_wrapping_doubles_esc(void)
{
    const char *text = "external-id-0123";
    size_t n, pn;
    char *s = clip_osc52_tmux(text, strlen(text), &n);
    char *plain = clip_osc52(text, strlen(text), &pn);
    CHECK(n > 9 && memcmp(s, "\033Ptmux;", 7) == 0);
    CHECK(memcmp(s + n - 2, "\033\\", 2) == 0);
    /* The body is the plain OSC with each ESC doubled, and nothing else. */
    char *undone = malloc(n);
    size_t u = 0, escs = 0;
    for (size_t i = 7; i < n - 2; i++) {
        if (s[i] == '\033') {
            CHECK(i + 1 < n - 2 && s[i + 1] == '\033');
            escs++;
            i++;
        }
        undone[u++] = s[i];
    }
    CHECK_INT(escs, 2); /* the OSC's ESC ] and its ESC \ */
    CHECK_INT(u, pn);
    CHECK(u == pn && memcmp(undone, plain, pn) == 0);
    check_osc52(undone, u, text, strlen(text));
    free(undone);
    free(s);
    free(plain);
}

static void test_tmux_without_tmux_program(void)
{
    scratch(); /* PATH holds no tmux: passthrough plus a plain OSC 52 */
    clip_env e = plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    const char *text = "hello";
    captured c = run_copy(e, "external ID", "external-id.txt", text, 5);
    size_t tn, pn;
    char *t = clip_osc52_tmux(text, 5, &tn), *p = clip_osc52(text, 5, &pn);
    CHECK_INT(c.n, tn + pn);
    CHECK(c.n == tn + pn && memcmp(c.bytes, t, tn) == 0 && memcmp(c.bytes + tn, p, pn) == 0);
    CHECK_INT(c.res.tmux_buffer, 0);
    CHECK_INT(c.res.osc52, 1);
    free(t);
    free(p);
    free(c.bytes);
}

static void test_tmux_load_buffer(void)
{
    scratch();
    char body[1024];
    snprintf(body, sizeof body, "printf '%%s\\n' \"$@\" > '%s/args'; cat > '%s/stdin'", tmp, tmp);
    write_script("tmux", body);
    clip_env e = plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    const char *text = "{\"Version\": \"2012-10-17\"}\n";
    captured c = run_copy(e, "policy", "spot-policy.json", text, strlen(text));
    CHECK_INT(c.res.tmux_buffer, 1);
    size_t n;
    char *args = slurp(in_tmp("args"), &n), *in = slurp(in_tmp("stdin"), &n);
    CHECK_STR(args, "load-buffer\n-w\n-\n");
    CHECK_STR(in, text);
    /* Only the passthrough: a plain one would make tmux a duplicate buffer. */
    size_t tn;
    char *t = clip_osc52_tmux(text, strlen(text), &tn);
    CHECK(c.n == tn && memcmp(c.bytes, t, tn) == 0);
    CHECK(strstr(c.res.message,
                 "policy sent to the terminal clipboard (OSC 52) and tmux's paste buffer; "
                 "also saved to ") == c.res.message);
    free(t);
    free(args);
    free(in);
    free(c.bytes);
}

static void test_tmux_without_w_flag(void)
{
    scratch(); /* tmux < 3.2 refuses -w: the buffer alone is still set */
    char body[1024];
    snprintf(body, sizeof body, "[ \"$2\" = -w ] && exit 1; cat > '%s/stdin'", tmp);
    write_script("tmux", body);
    clip_env e = plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_INT(c.res.tmux_buffer, 1);
    size_t n;
    char *in = slurp(in_tmp("stdin"), &n);
    CHECK_STR(in, "arn");
    free(in);
    free(c.bytes);
}

static void test_screen_chunks(void)
{
    scratch();
    size_t len = 5000;
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + i % 26);
    clip_env e = plain_env(-1);
    e.sty = "12345.pts-0.host";
    captured c = run_copy(e, "policy", "spot-policy.json", text, len);
    CHECK_INT(c.res.screen_dcs, 1);
    CHECK_INT(c.res.osc52, 1);
    CHECK(strstr(c.res.message, "(OSC 52 through screen)") != NULL);
    /* Split into ESC P ... ESC \ chunks and put the pieces back together. */
    char *joined = malloc(c.n);
    size_t j = 0, chunks = 0, i = 0;
    while (i < c.n) {
        CHECK(c.n - i >= 4 && c.bytes[i] == '\033' && c.bytes[i + 1] == 'P');
        char *end = memmem(c.bytes + i + 2, c.n - i - 2, "\033\\", 2);
        CHECK(end != NULL);
        if (!end)
            break;
        size_t size = (size_t)(end + 2 - (c.bytes + i));
        CHECK(size <= CLIP_SCREEN_CHUNK);
        memcpy(joined + j, c.bytes + i + 2, size - 4);
        j += size - 4;
        i += size;
        chunks++;
    }
    CHECK(chunks > 1);
    CHECK(j > 8 && memcmp(joined, "\033]52;c;", 7) == 0 && joined[j - 1] == '\a');
    size_t got;
    unsigned char *dec = unbase64(joined + 7, j - 8, &got);
    CHECK(dec && got == len && memcmp(dec, text, len) == 0);
    free(dec);
    free(joined);
    free(c.bytes);
    free(text);
}

static void test_too_big_writes_only_the_file(void)
{
    scratch();
    char body[512];
    snprintf(body, sizeof body, "cat > '%s/called'", tmp);
    write_script("xclip", body);
    write_script("tmux", body);
    size_t len = CLIP_MAX_TERMINAL + 1;
    char *text = malloc(len);
    memset(text, 'x', len);
    clip_env e = plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    e.over_ssh = 0;
    e.display = ":0";
    captured c = run_copy(e, "policy", "spot-policy.json", text, len);
    CHECK_INT(c.rc, 0);
    CHECK_INT(c.n, 0);
    CHECK_INT(c.res.too_big, 1);
    CHECK_INT(c.res.osc52 + c.res.tmux_buffer + c.res.local_tool + c.res.screen_dcs, 0);
    CHECK(access(in_tmp("called"), F_OK) != 0);
    size_t n;
    char *saved = slurp(in_tmp("state/spot-policy.json"), &n);
    CHECK(saved && n == len && memcmp(saved, text, len) == 0);
    char want[512];
    snprintf(want, sizeof want,
             "policy is 75 KB, too big for the terminal clipboard (limit 74 KB); saved to "
             "%s/state/spot-policy.json",
             tmp);
    CHECK_STR(c.res.message, want);
    free(saved);
    free(text);
    free(c.bytes);
}

static void test_file_mode_and_contents(void)
{
    scratch();
    clip_env e = plain_env(-1);
    e.file_dir = in_tmp("a/b/spot-connect"); /* none of it exists yet */
    mode_t old = umask(0);                   /* a lax umask must not widen anything */
    captured c = run_copy(e, "external ID", "external-id.txt", "abc-123", 7);
    umask(old);
    CHECK_STR(c.res.file, in_tmp("a/b/spot-connect/external-id.txt"));
    struct stat st;
    CHECK(stat(c.res.file, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    CHECK(stat(e.file_dir, &st) == 0);
    CHECK_INT(st.st_mode & 07777, 0700);
    size_t n;
    char *saved = slurp(c.res.file, &n);
    CHECK_STR(saved, "abc-123");
    free(saved);
    /* A second copy replaces the first, leaving no temp file behind. */
    clip_result r;
    CHECK_INT(clip_copy(&e, "external ID", "external-id.txt", "xyz", 3, &r), 0);
    saved = slurp(r.file, &n);
    CHECK_STR(saved, "xyz");
    free(saved);
    int entries = 0;
    DIR *d = opendir(e.file_dir);
    for (struct dirent *de; (de = readdir(d));)
        entries += de->d_name[0] != '.';
    closedir(d);
    CHECK_INT(entries, 1);
    free(c.bytes);
}

static void test_planted_symlink_is_replaced(void)
{
    scratch();
    clip_env e = plain_env(-1);
    mkdir(e.file_dir, 0700);
    FILE *f = fopen(in_tmp("victim"), "w");
    fputs("untouched", f);
    fclose(f);
    CHECK(symlink(in_tmp("victim"), in_tmp("state/role-arn.txt")) == 0);
    clip_result r;
    CHECK_INT(clip_copy(&e, "role ARN", "role-arn.txt", "arn", 3, &r), 0);
    size_t n;
    char *v = slurp(in_tmp("victim"), &n), *saved = slurp(r.file, &n);
    CHECK_STR(v, "untouched");
    CHECK_STR(saved, "arn");
    struct stat st;
    CHECK(lstat(r.file, &st) == 0 && S_ISREG(st.st_mode));
    free(v);
    free(saved);
}

static void test_shared_dir_refused(void)
{
    scratch();
    clip_env e = plain_env(-1);
    mkdir(e.file_dir, 0700);
    chmod(e.file_dir, 0777);
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_INT(c.rc, 0); /* the terminal route still went */
    CHECK_INT(c.res.osc52, 1);
    CHECK_STR(c.res.file, "");
    CHECK(access(in_tmp("state/role-arn.txt"), F_OK) != 0);
    CHECK(strstr(c.res.message, "; could not save a copy in ") != NULL);
    free(c.bytes);
}

static void test_file_name_from_label(void)
{
    scratch();
    clip_env e = plain_env(-1);
    clip_result r;
    clip_copy(&e, "External ID", NULL, "x", 1, &r);
    CHECK_STR(r.file, in_tmp("state/external-id.txt"));
    clip_copy(&e, "Role ARN", "../escape.txt", "x", 1, &r);
    CHECK_STR(r.file, in_tmp("state/role-arn.txt"));
    CHECK(access(in_tmp("escape.txt"), F_OK) != 0);
}

static void test_nothing_possible(void)
{
    scratch();
    clip_env e = plain_env(-1);
    e.file_dir = NULL;
    clip_result r;
    CHECK_INT(clip_copy(&e, "policy", "spot-policy.json", "x", 1, &r), -1);
    CHECK_STR(r.message, "policy not sent to any clipboard; could not save a copy in (no "
                         "directory): No such file or directory");
}

/* A fake xclip that keeps its arguments and stdin, and DISPLAY set. */
static clip_env xclip_env(void)
{
    char body[1024];
    snprintf(body, sizeof body, "printf '%%s\\n' \"$@\" > '%s/args'; cat > '%s/xclip-in'", tmp,
             tmp);
    write_script("xclip", body);
    clip_env e = plain_env(-1);
    e.display = ":0";
    return e;
}

static void test_local_tool_when_local(void)
{
    scratch();
    clip_env e = xclip_env();
    e.over_ssh = 0;
    const char *text = "arn:aws:iam::1:role/x";
    captured c = run_copy(e, "role ARN", "role-arn.txt", text, strlen(text));
    CHECK_INT(c.res.local_tool, 1);
    CHECK_STR(c.res.tool, "xclip");
    size_t n;
    char *in = slurp(in_tmp("xclip-in"), &n), *args = slurp(in_tmp("args"), &n);
    CHECK_STR(in, text);
    CHECK_STR(args, "-selection\nclipboard\n");
    CHECK(strstr(c.res.message, "role ARN sent to the terminal clipboard (OSC 52) and the "
                                "local clipboard (xclip); also saved to ") == c.res.message);
    free(in);
    free(args);
    free(c.bytes);
}

static void test_no_local_tool_over_ssh(void)
{
    scratch();
    clip_env e = xclip_env();
    e.over_ssh = 1;
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_INT(c.res.local_tool, 0);
    CHECK(access(in_tmp("xclip-in"), F_OK) != 0);
    free(c.bytes);
}

static void test_no_local_tool_without_display(void)
{
    scratch();
    clip_env e = xclip_env();
    e.over_ssh = 0;
    e.display = NULL;
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_INT(c.res.local_tool, 0);
    CHECK(access(in_tmp("xclip-in"), F_OK) != 0);
    free(c.bytes);
}

static void test_wayland_prefers_wl_copy(void)
{
    scratch();
    clip_env e = xclip_env();
    char body[512];
    snprintf(body, sizeof body, "cat > '%s/wl-in'", tmp);
    write_script("wl-copy", body);
    e.over_ssh = 0;
    e.wayland_display = "wayland-0";
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_STR(c.res.tool, "wl-copy");
    CHECK(access(in_tmp("wl-in"), F_OK) == 0);
    CHECK(access(in_tmp("xclip-in"), F_OK) != 0);
    free(c.bytes);
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_hung_tool_is_killed(void)
{
    scratch();
    write_script("xclip", "exec sleep 300"); /* never reads, never exits */
    clip_env e = plain_env(-1);
    e.over_ssh = 0;
    e.display = ":0";
    size_t len = 70000; /* more than a pipe holds: the feed blocks too */
    char *text = calloc(1, len);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    captured c = run_copy(e, "policy", "spot-policy.json", text, len);
    double took = seconds_since(&t0);
    CHECK_INT(c.res.local_tool, 0);
    /* Given its full time (a lower bound load cannot break), then killed:
     * back long before the tool would end by itself.  The figure is a note. */
    CHECK(took >= CLIP_TOOL_TIMEOUT_MS / 1000.0 - 0.1 && took < 150);
    fprintf(stderr, "# note: hung tool killed after %.2f s\n", took);
    free(text);
    free(c.bytes);
}

static void test_tool_exiting_early_is_no_sigpipe(void)
{
    scratch();
    write_script("xclip", "exit 0"); /* closes the pipe unread */
    clip_env e = plain_env(-1);
    e.over_ssh = 0;
    e.display = ":0";
    size_t len = 70000;
    char *text = calloc(1, len);
    captured c = run_copy(e, "policy", "spot-policy.json", text, len);
    CHECK_INT(c.res.local_tool, 0); /* we are still alive to say so */
    free(text);
    free(c.bytes);
}

static void test_env_detect(void)
{
    setenv("TMUX", "/tmp/tmux-1/default,9,0", 1);
    unsetenv("STY");
    unsetenv("SSH_CONNECTION");
    unsetenv("SSH_CLIENT");
    setenv("SSH_TTY", "/dev/pts/3", 1);
    setenv("DISPLAY", ":1", 1);
    setenv("WAYLAND_DISPLAY", "", 1);
    clip_env e;
    clip_env_detect(&e, 7, "/state");
    CHECK_INT(e.tty_fd, 7);
    CHECK_STR(e.tmux, "/tmp/tmux-1/default,9,0");
    CHECK(e.sty == NULL);
    CHECK_INT(e.over_ssh, 1);
    CHECK_STR(e.display, ":1");
    CHECK(e.wayland_display == NULL); /* empty counts as unset */
    CHECK_STR(e.file_dir, "/state");
    unsetenv("SSH_TTY");
    clip_env_detect(&e, 7, "/state");
    CHECK_INT(e.over_ssh, 0);
}

/* The tool gets none of our secrets, no descriptor above 2 and no blocked
 * or ignored signal, whatever the process has. */
static void test_tool_inherits_nothing_secret(void)
{
    scratch();
    char body[1024];
    snprintf(body, sizeof body,
             "cat >/dev/null; env > '%s/env'; ls /proc/self/fd > '%s/fds'; "
             "grep -E '^Sig(Blk|Ign)' /proc/self/status > '%s/sig'",
             tmp, tmp, tmp);
    write_script("xclip", body);
    clip_env e = plain_env(-1);
    e.display = ":0";
    e.over_ssh = 0;
    setenv("SPOTINST_TOKEN", "spot-secret-token", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-key", 1);
    setenv("AWS_SESSION_TOKEN", "aws-session-token", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE", 1);
    setenv("SC_CLIP_KEEP", "kept", 1);
    int stray = open("/dev/null", O_RDONLY); /* not close-on-exec */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction ign = {.sa_handler = SIG_IGN}, was;
    sigaction(SIGUSR2, &ign, &was);
    captured c = run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    sigaction(SIGUSR2, &was, NULL);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(stray);
    unsetenv("SPOTINST_TOKEN");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_ACCESS_KEY_ID");
    CHECK_INT(c.res.local_tool, 1);
    size_t n;
    char *env = slurp(in_tmp("env"), &n), *fds = slurp(in_tmp("fds"), &n),
         *sig = slurp(in_tmp("sig"), &n);
    CHECK(env && strstr(env, "SC_CLIP_KEEP=kept"));
    CHECK(env && !strstr(env, "spot-secret-token") && !strstr(env, "aws-secret-key") &&
          !strstr(env, "aws-session-token") && !strstr(env, "AKIAEXAMPLE"));
    /* ls itself opens one directory fd: 0, 1, 2 and that one. */
    int count = 0;
    for (char *p = fds; p && *p; p++)
        count += *p == '\n';
    CHECK_INT(count, 4);
    CHECK_STR(sig, "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
    free(env);
    free(fds);
    free(sig);
    free(c.bytes);
}

int main(void)
{
    check_suite = "clipboard";
    check_run("base64 matches RFC 4648 vectors", test_base64_vectors);
    check_run("OSC 52 bytes decode to the input", test_osc52_plain_exact_bytes);
    check_run("OSC 52 over a pty", test_osc52_over_a_pty);
    check_run("74 KB through a full non-blocking pipe", test_long_text_partial_writes);
    check_run("tmux passthrough doubles every ESC", test_tmux_wrapping_doubles_esc);
    check_run("tmux without a tmux program sends plain OSC too", test_tmux_without_tmux_program);
    check_run("tmux load-buffer -w - gets the text", test_tmux_load_buffer);
    check_run("tmux without -w falls back to load-buffer -", test_tmux_without_w_flag);
    check_run("screen chunks are at most 768 bytes and reassemble", test_screen_chunks);
    check_run("too big: the file only", test_too_big_writes_only_the_file);
    check_run("file is 0600 in a 0700 directory", test_file_mode_and_contents);
    check_run("a planted symlink is replaced, not followed", test_planted_symlink_is_replaced);
    check_run("a group/world-writable directory is refused", test_shared_dir_refused);
    check_run("file name from the label", test_file_name_from_label);
    check_run("nothing possible: -1 and a reason", test_nothing_possible);
    check_run("local tool runs when local", test_local_tool_when_local);
    check_run("no local tool over SSH", test_no_local_tool_over_ssh);
    check_run("no local tool without a display", test_no_local_tool_without_display);
    check_run("Wayland prefers wl-copy", test_wayland_prefers_wl_copy);
    check_run("a hung tool is killed after 2 s", test_hung_tool_is_killed);
    check_run("a tool exiting early costs no SIGPIPE", test_tool_exiting_early_is_no_sigpipe);
    check_run("environment detection", test_env_detect);
    check_run("a tool inherits no secret, descriptor or blocked signal",
              test_tool_inherits_nothing_secret);
    if (tmp[0])
        nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return check_exit();
}
