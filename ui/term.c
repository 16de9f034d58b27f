#include "term.h"

#include <curses.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

#include "theme.h"

static SCREEN *screen;
static FILE *tty_in, *tty_out;
static int saved_stderr = -1;
static FILE *captured; /* what was written to stderr while curses was up */

/* Every descriptor of ours is close-on-exec, so that no child (a
 * credential_process, a clipboard tool) can hold the terminal. */
static void capture_stderr(void)
{
    captured = tmpfile();
    if (!captured)
        return;
    fcntl(fileno(captured), F_SETFD, FD_CLOEXEC);
    fflush(stderr);
    saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0);
    dup2(fileno(captured), STDERR_FILENO);
}

static void release_stderr(void)
{
    if (saved_stderr < 0)
        return;
    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    char chunk[4096];
    size_t n;
    rewind(captured);
    while ((n = fread(chunk, 1, sizeof chunk, captured)) > 0)
        fwrite(chunk, 1, n, stderr);
    fclose(captured);
    captured = NULL;
}

/* What the fatal-signal handler needs, made ready while all is well: the
 * handler may only call async-signal-safe functions (write, tcsetattr),
 * never curses. */
static int fatal_fd = -1;
static struct termios fatal_termios; /* the terminal as we found it */
static int fatal_have_termios;
static char fatal_reset[256];
static size_t fatal_reset_len;

static void fatal_add(const char *cap, const char *fallback)
{
    const char *seq = cap ? tigetstr((char *)cap) : NULL;
    if (!seq || seq == (char *)-1)
        seq = fallback;
    size_t n = strlen(seq);
    if (fatal_reset_len + n < sizeof fatal_reset) {
        // NOLINTNEXTLINE(bugprone-not-null-terminated-result): bytes for write(2), length kept
        memcpy(fatal_reset + fatal_reset_len, seq, n);
        fatal_reset_len += n;
    }
}

/* Bracketed paste off, attributes reset, cursor shown, keypad back to
 * normal, alternate screen left: what endwin() would send. */
static void fatal_prepare(void)
{
    fatal_reset_len = 0;
    fatal_add(NULL, "\033[?2004l");
    fatal_add("sgr0", "\033[0m");
    fatal_add("cnorm", "\033[?25h");
    fatal_add("rmkx", "\033[?1l\033>");
    fatal_add("rmcup", "\033[?1049l");
    fatal_add(NULL, "\r\n");
    fatal_fd = fileno(tty_out);
}

/* A crash must not leave the operator's terminal in raw mode. Runs on its
 * own stack, so a stack overflow gets here too. */
static void on_fatal(int sig)
{
    if (fatal_fd >= 0) {
        (void)!write(fatal_fd, fatal_reset, fatal_reset_len);
        if (fatal_have_termios)
            tcsetattr(fatal_fd, TCSANOW, &fatal_termios);
    }
    /* SA_RESETHAND restored the default action: the signal, raised again
     * once this returns, ends the process as it would have. */
    raise(sig);
}

static void install_fatal_handlers(void)
{
    static char alt[64 * 1024];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    fatal_prepare();
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    struct sigaction sa = {.sa_handler = on_fatal, .sa_flags = SA_ONSTACK | SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        sigaction(fatal[i], &sa, NULL);
}

static int open_tty(char *why, size_t len)
{
    tty_in = fopen("/dev/tty", "re");
    tty_out = fopen("/dev/tty", "we");
    if (tty_in && tty_out) {
        fatal_have_termios = tcgetattr(fileno(tty_out), &fatal_termios) == 0;
        return 0;
    }
    if (tty_in)
        fclose(tty_in);
    if (tty_out)
        fclose(tty_out);
    tty_in = tty_out = NULL;
    snprintf(why, len, "no terminal to draw on; use 'spot-connect connect' instead");
    return -1;
}

static int terminal_usable(const char *term, char *why, size_t len)
{
    /* newterm() succeeds for "dumb"; without cursor addressing nothing works. */
    if (!tigetstr("cup") || tigetstr("cup") == (char *)-1) {
        snprintf(why, len,
                 "TERM=%s cannot address the cursor; use 'spot-connect connect' for a line-by-line "
                 "run",
                 term);
        return 0;
    }
    return 1;
}

static void set_escdelay_default(void)
{
    if (!getenv("ESCDELAY"))
        set_escdelay(100);
}

int term_start(const term_options *o, char *why, size_t why_len)
{
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(why, why_len, "TERM is not set; use 'spot-connect connect' instead");
        return -1;
    }
    if (open_tty(why, why_len) < 0)
        return -1;
    screen = newterm(NULL, tty_out, tty_in);
    if (!screen || !terminal_usable(term, why, why_len)) {
        if (screen) {
            endwin();
            delscreen(screen);
        } else {
            snprintf(why, why_len, "unknown terminal type TERM=%s; use 'spot-connect connect'",
                     term);
        }
        screen = NULL;
        fclose(tty_in);
        fclose(tty_out);
        return -1;
    }
    set_term(screen);
    set_escdelay_default();
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    curs_set(1);
    int color = !o->no_color && has_colors();
    if (color) {
        start_color();
        use_default_colors();
    }
    theme_init(color, o->ascii);
    install_fatal_handlers();
    capture_stderr();
    /* Bracketed paste, so a pasted ARN arrives as one edit. */
    fputs("\033[?2004h", tty_out);
    fflush(tty_out);
    return 0;
}

void term_end(void)
{
    if (!screen)
        return;
    fatal_fd = -1;
    fputs("\033[?2004l", tty_out);
    fflush(tty_out);
    endwin();
    delscreen(screen);
    screen = NULL;
    fclose(tty_in);
    fclose(tty_out);
    tty_in = tty_out = NULL;
    release_stderr();
}

int term_input_fd(void)
{
    return tty_in ? fileno(tty_in) : -1;
}

int term_fd(void)
{
    return tty_out ? fileno(tty_out) : -1;
}

void term_suspend(void)
{
    def_prog_mode();
    endwin();
}

void term_resume(void)
{
    reset_prog_mode();
    refresh();
}
