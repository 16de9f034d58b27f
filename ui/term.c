#include "term.h"

#include <curses.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <unistd.h>

#include "theme.h"

static SCREEN *screen;
static FILE *tty_in, *tty_out;
static int saved_stderr = -1;
static FILE *captured; /* what was written to stderr while curses was up */

static void capture_stderr(void)
{
    captured = tmpfile();
    if (!captured)
        return;
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
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

/* A crash must not leave the operator's terminal in raw mode. */
static void on_fatal(int sig)
{
    if (screen)
        endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_fatal_handlers(void)
{
    static const int fatal[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
    for (size_t i = 0; i < sizeof fatal / sizeof fatal[0]; i++)
        signal(fatal[i], on_fatal);
}

static int open_tty(char *why, size_t len)
{
    tty_in = fopen("/dev/tty", "r");
    tty_out = fopen("/dev/tty", "w");
    if (tty_in && tty_out)
        return 0;
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
