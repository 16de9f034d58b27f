/* The copy chain to the terminal: the exact OSC 52 bytes, tmux and GNU
 * screen wrapping, read back from a pipe or pty. The file fallback and the
 * local tools are in test_clipboard_file.c. */
#include <poll.h>
#include <pty.h>
#include <termios.h>

#include "clip_fixture.h"

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
    clipfx_scratch();
    /* Binary on purpose: NUL, ESC, BEL, high bytes, newlines. */
    static const char text[] = "{\n  \"a\": \"\033]0;x\a\"\n}\0\xff\xfe tail";
    size_t len = sizeof text - 1;
    clipfx_captured c =
        clipfx_run_copy(clipfx_plain_env(-1), "policy", "spot-policy.json", text, len);
    CHECK_INT(c.rc, 0);
    CHECK_INT(c.res.osc52, 1);
    CHECK_INT(c.res.tmux_buffer, 0);
    CHECK_INT(c.res.screen_dcs, 0);
    clipfx_check_osc52(c.bytes, c.n, text, len);
    char want[512];
    snprintf(want, sizeof want,
             "policy sent to the terminal clipboard (OSC 52); also saved to %s/state/"
             "spot-policy.json",
             clipfx_tmp);
    CHECK_STR(c.res.message, want);
    free(c.bytes);
}

static void test_osc52_over_a_pty(void)
{
    clipfx_scratch();
    int master, slave;
    CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t); /* the wizard's curses mode: no output translation */
    tcsetattr(slave, TCSANOW, &t);
    const char *text = "arn:aws:iam::123456789012:role/SpotByNetApp";
    clip_env e = clipfx_plain_env(slave);
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
    clipfx_check_osc52(buf, n, text, strlen(text));
    close(master);
    close(slave);
}

static void test_long_text_partial_writes(void)
{
    clipfx_scratch();
    size_t len = CLIP_MAX_TERMINAL; /* right at the limit: still sent */
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)(i * 7 + i / 13);
    clipfx_captured c =
        clipfx_run_copy(clipfx_plain_env(-1), "policy", "spot-policy.json", text, len);
    CHECK_INT(c.res.too_big, 0);
    CHECK_INT(c.res.osc52, 1);
    clipfx_check_osc52(c.bytes, c.n, text, len);
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
    clipfx_check_osc52(undone, u, text, strlen(text));
    free(undone);
    free(s);
    free(plain);
}

static void test_tmux_without_tmux_program(void)
{
    clipfx_scratch(); /* PATH holds no tmux: passthrough plus a plain OSC 52 */
    clip_env e = clipfx_plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    const char *text = "hello";
    clipfx_captured c = clipfx_run_copy(e, "external ID", "external-id.txt", text, 5);
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
    clipfx_scratch();
    char body[1024];
    snprintf(body, sizeof body, "printf '%%s\\n' \"$@\" > '%s/args'; cat > '%s/stdin'", clipfx_tmp,
             clipfx_tmp);
    clipfx_write_script("tmux", body);
    clip_env e = clipfx_plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    const char *text = "{\"Version\": \"2012-10-17\"}\n";
    clipfx_captured c = clipfx_run_copy(e, "policy", "spot-policy.json", text, strlen(text));
    CHECK_INT(c.res.tmux_buffer, 1);
    size_t n;
    char *args = clipfx_slurp(clipfx_in_tmp("args"), &n),
         *in = clipfx_slurp(clipfx_in_tmp("stdin"), &n);
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
    clipfx_scratch(); /* tmux < 3.2 refuses -w: the buffer alone is still set */
    char body[1024];
    snprintf(body, sizeof body, "[ \"$2\" = -w ] && exit 1; cat > '%s/stdin'", clipfx_tmp);
    clipfx_write_script("tmux", body);
    clip_env e = clipfx_plain_env(-1);
    e.tmux = "/tmp/tmux-0/default,1,0";
    clipfx_captured c = clipfx_run_copy(e, "role ARN", "role-arn.txt", "arn", 3);
    CHECK_INT(c.res.tmux_buffer, 1);
    size_t n;
    char *in = clipfx_slurp(clipfx_in_tmp("stdin"), &n);
    CHECK_STR(in, "arn");
    free(in);
    free(c.bytes);
}

static void test_screen_chunks(void)
{
    clipfx_scratch();
    size_t len = 5000;
    char *text = malloc(len);
    for (size_t i = 0; i < len; i++)
        text[i] = (char)('a' + i % 26);
    clip_env e = clipfx_plain_env(-1);
    e.sty = "12345.pts-0.host";
    clipfx_captured c = clipfx_run_copy(e, "policy", "spot-policy.json", text, len);
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
    unsigned char *dec = clipfx_unbase64(joined + 7, j - 8, &got);
    CHECK(dec && got == len && memcmp(dec, text, len) == 0);
    free(dec);
    free(joined);
    free(c.bytes);
    free(text);
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
    clipfx_cleanup();
    return check_exit();
}
