/* The copy chain of tui.md §3.6: save a file, then OSC 52 (wrapped for tmux
 * or GNU screen), tmux's paste buffer, and a local tool when the display is
 * really the operator's. No curses, no logging: the copied text goes only
 * to the terminal fd, the helper's stdin and the file. */
#include "clipboard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/ascii.h"
#include "util/child.h"
#include "util/env.h"

/* A terminal that takes no byte for this long (XOFF, dead link) is given up. */
#define CLIP_TTY_STALL_MS 5000

static int set(const char *s)
{
    return s && *s;
}

void clip_env_detect(clip_env *e, int tty_fd, const char *file_dir)
{
    memset(e, 0, sizeof *e);
    e->tty_fd = tty_fd;
    e->tmux = env_get("TMUX");
    e->sty = env_get("STY");
    /* On a jump host a DISPLAY, if any, is not the operator's screen. */
    e->over_ssh = env_get("SSH_CONNECTION") || env_get("SSH_TTY") || env_get("SSH_CLIENT");
    e->display = env_get("DISPLAY");
    e->wayland_display = env_get("WAYLAND_DISPLAY");
    e->path = env_get("PATH");
    e->file_dir = file_dir;
}

/* The encoded text is as sensitive as the text (an external ID). */
static void wipe_free(char *p, size_t n)
{
    if (p)
        explicit_bzero(p, n);
    free(p);
}

/* ---- escape sequences ---- */

char *clip_base64(const char *data, size_t len, size_t *n)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (len > (SIZE_MAX - 1) / 4 * 3 - 3)
        return NULL;
    const unsigned char *in = (const unsigned char *)data;
    char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < len)
            v |= in[i + 2];
        *o++ = abc[v >> 18 & 63];
        *o++ = abc[v >> 12 & 63];
        *o++ = (char)(i + 1 < len ? abc[v >> 6 & 63] : '=');
        *o++ = (char)(i + 2 < len ? abc[v & 63] : '=');
    }
    *o = '\0';
    *n = (size_t)(o - out);
    return out;
}

/* Appends n bytes (escape sequences, not strings) and returns the end. */
static char *put_bytes(char *o, const void *src, size_t n)
{
    memcpy(o, src, n);
    return o + n;
}

/* ESC ] 52 ; c ; <base64> <end>. Base64 cannot contain ESC or BEL, so the
 * text can never end the sequence early and inject its own. */
static char *osc52_with(const char *text, size_t len, const char *end, size_t *n)
{
    size_t b64n;
    char *b64 = clip_base64(text, len, &b64n);
    if (!b64)
        return NULL;
    size_t endn = strlen(end);
    char *s = malloc(7 + b64n + endn);
    if (s) {
        char *o = put_bytes(s, "\033]52;c;", 7);
        o = put_bytes(o, b64, b64n);
        put_bytes(o, end, endn);
        *n = 7 + b64n + endn;
    }
    wipe_free(b64, b64n);
    return s;
}

char *clip_osc52(const char *text, size_t len, size_t *n)
{
    return osc52_with(text, len, "\033\\", n);
}

char *clip_osc52_tmux(const char *text, size_t len, size_t *n)
{
    size_t innern;
    char *inner = clip_osc52(text, len, &innern);
    if (!inner)
        return NULL;
    /* Worst case every byte is ESC and doubles; plus the DCS framing. */
    char *s = malloc(innern * 2 + 9), *o = s;
    if (s) {
        memcpy(o, "\033Ptmux;", 7);
        o += 7;
        for (size_t i = 0; i < innern; i++) {
            if (inner[i] == '\033')
                *o++ = '\033'; /* tmux passes ESC ESC on as one ESC */
            *o++ = inner[i];
        }
        memcpy(o, "\033\\", 2);
        *n = (size_t)(o + 2 - s);
    }
    wipe_free(inner, innern);
    return s;
}

char *clip_osc52_screen(const char *text, size_t len, size_t *n)
{
    size_t innern;
    /* BEL, not ESC \: inside a DCS the first ESC \ would end it. */
    char *inner = osc52_with(text, len, "\a", &innern);
    if (!inner)
        return NULL;
    const size_t piece = CLIP_SCREEN_CHUNK - 4; /* room for ESC P ... ESC \ */
    size_t chunks = (innern + piece - 1) / piece;
    char *s = malloc(innern + chunks * 4), *o = s;
    if (s) {
        for (size_t i = 0; i < innern; i += piece) {
            size_t k = innern - i < piece ? innern - i : piece;
            o = put_bytes(o, "\033P", 2);
            o = put_bytes(o, inner + i, k);
            o = put_bytes(o, "\033\\", 2);
        }
        *n = (size_t)(o - s);
    }
    wipe_free(inner, innern);
    return s;
}

/* ---- low-level I/O ---- */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Writes all n bytes, retrying EINTR and short writes; on EAGAIN (a
 * non-blocking fd) waits for room until the deadline, or, when deadline is
 * 0, until the fd has taken nothing for CLIP_TTY_STALL_MS. 0 or an errno. */
static int write_all(int fd, const char *buf, size_t n, long long deadline)
{
    long long stall_end = now_ms() + CLIP_TTY_STALL_MS;
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w > 0) {
            buf += w;
            n -= (size_t)w;
            stall_end = now_ms() + CLIP_TTY_STALL_MS;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return errno;
        long long left = (deadline ? deadline : stall_end) - now_ms();
        if (left <= 0)
            return ETIMEDOUT;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return errno;
    }
    return 0;
}

/* ---- the saved copy ---- */

/* mkdir -p, new levels 0700. Existing levels are the user's business. */
static int make_dirs(const char *dir)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
        return ENAMETOOLONG;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) < 0 && errno != EEXIST)
            return errno;
        *s = c;
        if (c == '\0')
            return 0;
    }
}

/* Opens the directory, refusing one that someone else could swap our file
 * in (not ours, or group/world-writable): the operator pastes from it. */
static int open_dir(const char *dir, int *fd)
{
    int err = make_dirs(dir);
    if (err)
        return err;
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0)
        return errno;
    struct stat st;
    if (fstat(*fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
        close(*fd);
        return EPERM;
    }
    return 0;
}

/* Writes a temp file that only we can have created (O_EXCL, 0600) and
 * renames it over the name, so readers never see half a file and a planted
 * symlink is replaced, not followed. */
static int save_in(int dfd, const char *name, const char *text, size_t len)
{
    static unsigned counter;
    char tmp[300];
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < 100; tries++) {
        snprintf(tmp, sizeof tmp, ".%s.%ld.%u.tmp", name, (long)getpid(), counter++);
        fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0 && errno != EEXIST)
            return errno;
    }
    if (fd < 0)
        return EEXIST;
    int err = fchmod(fd, 0600) < 0 ? errno : 0; /* a umask may not widen it, but be exact */
    if (!err)
        err = write_all(fd, text, len, 0);
    if (close(fd) < 0 && !err)
        err = errno;
    if (!err && renameat(dfd, tmp, dfd, name) < 0)
        err = errno;
    if (err)
        unlinkat(dfd, tmp, 0);
    return err;
}

static int save_file(const char *dir, const char *name, const char *text, size_t len,
                     clip_result *out)
{
    if (!set(dir))
        return ENOENT;
    int dfd, err = open_dir(dir, &dfd);
    if (err)
        return err;
    err = save_in(dfd, name, text, len);
    close(dfd);
    size_t dn = strlen(dir);
    while (dn > 1 && dir[dn - 1] == '/')
        dn--;
    if (!err && snprintf(out->file, sizeof out->file, "%.*s/%s", (int)dn, dir, name) >=
                    (int)sizeof out->file)
        out->file[0] = '\0'; /* saved, but the path does not fit: say nothing wrong */
    return err;
}

/* A plain base name we are willing to create: no '/', no dot file. */
static int good_name(const char *name)
{
    size_t n = strlen(name);
    return n > 0 && n < 200 && name[0] != '.' && !strchr(name, '/');
}

/* "External ID" -> "external-id.txt", for callers that give no file name. */
static void name_from_label(const char *label, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *s = label; *s && n + 5 < size && n < 64; s++) {
        unsigned char c = (unsigned char)*s;
        if (ascii_isalnum(c) || c == '-' || c == '_')
            buf[n++] = (char)ascii_tolower(c);
        else if (c == ' ' && n > 0 && buf[n - 1] != '-')
            buf[n++] = '-';
    }
    if (n == 0)
        n = (size_t)snprintf(buf, size, "clipboard");
    snprintf(buf + n, size - n, ".txt");
}

/* ---- helper programs ---- */

/* Finds an executable on path into buf; 1 when found. Resolved here, not
 * by execvp in the child, since a child of a threaded program may only
 * call async-signal-safe functions. */
static int find_tool(const char *path, const char *name, char *buf, size_t size)
{
    for (const char *p = path; p && *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        /* Relative entries ("", ".") would run whatever the cwd holds. */
        if (n > 0 && p[0] == '/' &&
            (size_t)snprintf(buf, size, "%.*s/%s", (int)n, p, name) < size &&
            access(buf, X_OK) == 0)
            return 1;
        p += n + (colon ? 1 : 0);
    }
    return 0;
}

/* Child side: stdin from the pipe, stdout/stderr to /dev/null, no other fd
 * (the tty, sockets) leaks into a helper that may stay as a daemon; every
 * signal back to its default action and unblocked. */
static void child_exec(int in, const char *exe, char *const argv[], char *const envp[])
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        sigaction(sig, &dfl, NULL); /* SIGKILL, SIGSTOP: EINVAL, harmless */
    int null = open("/dev/null", O_RDWR);
    if (in == 0)
        fcntl(0, F_SETFD, 0);
    if (dup2(in, 0) < 0 || null < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
        _exit(127);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0) < 0)
#endif
        for (int fd = 3; fd < 1024; fd++)
            close(fd);
    execve(exe, argv, envp);
    _exit(127);
}

/* Feeds the text with SIGPIPE held back: a helper that exits early must
 * cost an EPIPE, not the whole program. 0 when everything was taken. */
static int feed(int fd, const char *text, size_t len, long long deadline)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int err = write_all(fd, text, len, deadline);
    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero); /* swallow our own SIGPIPE */
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return err;
}

/* Waits for the child until the deadline, then kills it. 0 on exit 0, 1
 * on another exit status, -1 when killed or lost. */
static int reap(pid_t pid, long long deadline)
{
    int status;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return !WIFEXITED(status) ? -1 : WEXITSTATUS(status) == 0 ? 0 : 1;
        if (r < 0 && errno == ECHILD)
            return 0; /* a SIGCHLD handler reaped it; it did take all the input */
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline)
            break;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return -1;
}

/* Runs exe argv with the text on its stdin, bounded by CLIP_TOOL_TIMEOUT_MS
 * in all. 0 when it took everything and exited 0, 1 when it refused (exit
 * status), -1 when it could not be run, hung or died. */
static int run_tool(const char *exe, char *const argv[], const char *text, size_t len)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -1;
    /* A clipboard tool needs no secret of ours: no Spot token, no AWS keys. */
    const char *const drop[] = {CHILD_DROP_SPOT, CHILD_DROP_AWS, NULL};
    char **env = child_env_new(drop); /* before fork: the child may not allocate */
    pid_t pid = fork();
    if (pid == 0)
        child_exec(p[0], exe, argv, env);
    child_env_free(env);
    close(p[0]);
    if (pid < 0) {
        close(p[1]);
        return -1;
    }
    long long deadline = now_ms() + CLIP_TOOL_TIMEOUT_MS;
    int err = feed(p[1], text, len, deadline);
    close(p[1]); /* EOF: the helper may now finish */
    int rc = reap(pid, deadline);
    return err && rc == 0 ? -1 : rc;
}

/* ---- the routes ---- */

/* tmux >= 3.2: the buffer, and with -w the outer terminal's clipboard too,
 * whatever set-clipboard says. Older tmux lacks -w: the buffer alone. */
static int tmux_buffer(const clip_env *e, const char *text, size_t len)
{
    char exe[4096];
    if (!find_tool(e->path, "tmux", exe, sizeof exe))
        return 0;
    char *with_w[] = {"tmux", "load-buffer", "-w", "-", NULL};
    char *without[] = {"tmux", "load-buffer", "-", NULL};
    int rc = run_tool(exe, with_w, text, len);
    if (rc == 1) /* refused, likely "unknown flag -w"; a hang is not retried */
        rc = run_tool(exe, without, text, len);
    return rc == 0;
}

/* Picks the sequence for where we are and writes it in one go, so nothing
 * else lands inside it. Returns 1 when written. */
static int send_osc52(const clip_env *e, int buffer_done, const char *text, size_t len,
                      clip_result *out)
{
    size_t n = 0, n2 = 0;
    char *seq, *plain = NULL;
    if (set(e->tmux)) {
        seq = clip_osc52_tmux(text, len, &n);
        /* With set-clipboard on, tmux takes a plain OSC 52 too; only worth
         * it when load-buffer failed, else it makes a duplicate buffer. */
        if (!buffer_done)
            plain = clip_osc52(text, len, &n2);
    } else if (set(e->sty)) {
        seq = clip_osc52_screen(text, len, &n);
        out->screen_dcs = 1;
    } else {
        seq = clip_osc52(text, len, &n);
    }
    int ok = seq && write_all(e->tty_fd, seq, n, 0) == 0;
    if (ok && plain)
        write_all(e->tty_fd, plain, n2, 0);
    out->screen_dcs &= ok;
    wipe_free(seq, n);
    wipe_free(plain, n2);
    return ok;
}

/* Only a local display is the operator's clipboard. */
static void local_tool(const clip_env *e, const char *text, size_t len, clip_result *out)
{
    static char *wl[] = {"wl-copy", NULL};
    static char *xclip[] = {"xclip", "-selection", "clipboard", NULL};
    static char *xsel[] = {"xsel", "--clipboard", "--input", NULL};
    static char *pb[] = {"pbcopy", NULL};
    char **cands[4];
    int n = 0;
    if (set(e->wayland_display))
        cands[n++] = wl;
    if (set(e->display)) {
        cands[n++] = xclip;
        cands[n++] = xsel;
    }
#ifdef __APPLE__
    cands[n++] = pb; /* macOS has no DISPLAY; the screen is local */
#else
    (void)pb;
#endif
    char exe[4096];
    for (int i = 0; i < n; i++) {
        if (!find_tool(e->path, cands[i][0], exe, sizeof exe))
            continue;
        if (run_tool(exe, cands[i], text, len) == 0) {
            out->local_tool = 1;
            snprintf(out->tool, sizeof out->tool, "%s", cands[i][0]);
        }
        return; /* the first one present decides; no second guess */
    }
}

/* ---- the status line ---- */

static void say(clip_result *out, const char *fmt, ...)
{
    size_t used = strlen(out->message);
    if (used + 1 >= sizeof out->message)
        return;
    va_list ap;
    va_start(ap, fmt);
    // NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start is just above
    vsnprintf(out->message + used, sizeof out->message - used, fmt, ap);
    va_end(ap);
}

/* "A", "A and B", "A, B and C": where the text was sent. */
static int say_routes(clip_result *out)
{
    char local[64];
    snprintf(local, sizeof local, "the local clipboard (%s)", out->tool);
    const char *r[3];
    int n = 0;
    if (out->osc52)
        r[n++] = out->screen_dcs ? "the terminal clipboard (OSC 52 through screen)"
                                 : "the terminal clipboard (OSC 52)";
    if (out->tmux_buffer)
        r[n++] = "tmux's paste buffer";
    if (out->local_tool)
        r[n++] = local;
    for (int i = 0; i < n; i++)
        say(out, "%s%s", i == 0 ? " sent to " : i == n - 1 ? " and " : ", ", r[i]);
    return n;
}

static void compose(clip_result *out, const char *label, size_t len, int file_err, const char *dir)
{
    say(out, "%s", label);
    int sent = say_routes(out);
    if (out->too_big)
        say(out, " is %zu KB, too big for the terminal clipboard (limit %zu KB)",
            (len + 1023) / 1024, CLIP_MAX_TERMINAL / 1024);
    else if (!sent)
        say(out, " not sent to any clipboard");
    if (!file_err)
        say(out, "%s %s", sent ? "; also saved to" : "; saved to", out->file);
    else
        say(out, "; could not save a copy in %s: %s", set(dir) ? dir : "(no directory)",
            strerror(file_err));
}

int clip_copy(const clip_env *e, const char *label, const char *file_name, const char *text,
              size_t len, clip_result *out)
{
    memset(out, 0, sizeof *out);
    if (!label)
        label = "text";
    char name[80];
    if (!file_name || !good_name(file_name)) {
        name_from_label(label, name, sizeof name);
        file_name = name;
    }
    int file_err = save_file(e->file_dir, file_name, text, len, out);
    out->too_big = len > CLIP_MAX_TERMINAL;
    if (!out->too_big) {
        if (set(e->tmux))
            out->tmux_buffer = tmux_buffer(e, text, len);
        if (e->tty_fd >= 0)
            out->osc52 = send_osc52(e, out->tmux_buffer, text, len, out);
        if (!e->over_ssh)
            local_tool(e, text, len, out);
    }
    compose(out, label, len, file_err, e->file_dir);
    return out->osc52 || out->tmux_buffer || out->local_tool || !file_err ? 0 : -1;
}
