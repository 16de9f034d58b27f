#include "app.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/signals.h"
#include "clipboard.h"
#include "details.h"
#include "engine/answers.h"
#include "help.h"
#include "keybar.h"
#include "rules_form.h"
#include "term.h"
#include "theme.h"
#include "util/escape.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define CTRL(c) ((c)&0x1f)
/* How long quitting waits for a cancelled job before leaving without it. */
#define APP_JOIN_SECONDS 2.0
#define KEY_ESC 27

static volatile sig_atomic_t got_int, got_term;
static sigset_t wait_mask; /* while waiting for input: the signals below let in */

static void on_signal(int sig)
{
    if (sig == SIGINT)
        got_int = 1;
    else
        got_term = 1;
}

static void install_signals(void)
{
    signals_catch(on_signal);
    /* Delivered only inside ppoll(): one arriving between the checks and
     * the wait (a resize, Ctrl-C) would else wait for the next key. */
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &wait_mask);
}

/* ---- small services for panels ---- */

void app_set_status(app *a, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->status, sizeof a->status, fmt, ap);
    va_end(ap);
    a->status_error = error;
}

void app_progress(app *a, const char *line)
{
    if (a->nprogress == APP_MAX_PROGRESS) {
        memmove(a->progress[0], a->progress[1], sizeof a->progress[0] * (APP_MAX_PROGRESS - 1));
        a->nprogress--;
    }
    snprintf(a->progress[a->nprogress++], sizeof a->progress[0], "%s", line);
}

int app_busy(const app *a)
{
    return a->job != 0;
}

void app_start_job(app *a, int job_id)
{
    a->job = job_id;
    a->job_start = time_monotonic();
    a->spinner = 0;
    app_set_status(a, 0, " ");
}

void app_read_ahead(app *a)
{
    if (a->wz.method != CONNECT_AUTOMATIC || app_busy(a) || a->read_ahead)
        return;
    a->read_ahead = wiz_job_read_ahead(a->worker, &a->settings, &a->wz);
}

/* A failed read-ahead is said on the panels it serves; their own run
 * makes the reads again. */
static void read_ahead_done(app *a, const worker_event *ev)
{
    a->read_ahead = 0;
    if (ev->status == ST_OK || ev->status == ST_CANCELLED)
        a->read_ahead_problem[0] = '\0';
    else
        snprintf(a->read_ahead_problem, sizeof a->read_ahead_problem, "%s%s%s", ev->err.code,
                 ev->err.code[0] ? ": " : "", ev->err.message);
}

void app_set_copy(app *a, copy_item item, const char *text)
{
    free(a->copy_text[item]);
    a->copy_text[item] = text ? xstrdup(text) : NULL;
    if (item == COPY_POLICY && text)
        textpane_set(&a->policy, text, 1, 1);
}

/* ---- frame: header, status line, footer ---- */

static void draw_header(app *a)
{
    char left[160], right[160], path[200];
    snprintf(left, sizeof left, " spot-connect: Connect AWS Account");
    snprintf(right, sizeof right, "Step %d of %d: %s ", wiz_step_number(&a->wz, a->wz.step),
             wiz_step_count(&a->wz), wiz_step_title(a->wz.step));
    attr_t h = theme_attr(UI_HEADER);
    mvwhline(stdscr, 0, 0, ' ' | h, a->cols);
    ui_put(stdscr, 0, 0, a->cols, h, left);
    int rw = (int)strlen(right);
    ui_put(stdscr, 0, a->cols - rw > 0 ? a->cols - rw : 0, rw, h, right);
    wiz_path_text(&a->wz, path, sizeof path);
    ui_put(stdscr, 1, 1, a->cols - 2, theme_attr(UI_DIM), path);
}

static void draw_status(app *a)
{
    static const char spin[] = "|/-\\";
    char line[600];
    if (a->quit_asked)
        snprintf(line, sizeof line,
                 "Quit? Your progress is saved; run spot-connect again to resume. [y/N]");
    else if (a->job)
        snprintf(line, sizeof line, "%c Working... %.0f s  (Esc cancels)  %s", spin[a->spinner % 4],
                 time_monotonic() - a->job_start, a->status);
    else
        snprintf(line, sizeof line, "%s", a->status);
    attr_t at = theme_attr(a->status_error ? UI_ERROR : UI_STATUS);
    /* A long message (a saved file's path) takes the blank row above too;
     * a longer one opens whole in the details view (d). */
    int h = ui_wrap(NULL, (ui_rect){.y = 0, .x = 0, .h = 1, .w = a->cols - 2}, at, line) > 1
                ? DETAILS_STATUS_ROWS
                : 1;
    ui_clear(stdscr, (ui_rect){.y = a->rows - 1 - h, .x = 0, .h = h, .w = a->cols}, A_NORMAL);
    ui_wrap(stdscr, (ui_rect){.y = a->rows - 1 - h, .x = 1, .h = h, .w = a->cols - 2}, at, line);
}

static void draw_footer(app *a)
{
    attr_t f = theme_attr(UI_FOOTER);
    mvwhline(stdscr, a->rows - 1, 0, ' ' | f, a->cols);
    ui_put(stdscr, a->rows - 1, 1, a->cols - 2, f,
           a->help_open      ? "Up/Down scroll  Esc, F1 or q close help"
           : a->details_open ? "Up/Down scroll  Esc, d or q close details"
           : a->rules_open   ? "Tab next field  Enter save  Esc cancel"
                             : keybar_text(a));
}

static int too_small(const app *a)
{
    return a->rows < APP_MIN_ROWS || a->cols < APP_MIN_COLS;
}

static void draw_too_small(app *a)
{
    erase();
    char msg[200];
    snprintf(msg, sizeof msg, "Terminal too small: spot-connect needs %dx%d, this one is %dx%d.",
             APP_MIN_COLS, APP_MIN_ROWS, a->cols, a->rows);
    ui_wrap(stdscr, (ui_rect){.y = 0, .x = 0, .h = a->rows, .w = a->cols}, theme_attr(UI_WARN),
            msg);
    ui_wrap(stdscr, (ui_rect){.y = a->rows > 3 ? 3 : a->rows - 1, .x = 0, .h = 2, .w = a->cols},
            A_NORMAL,
            a->quit_asked ? "Quit? Your progress is saved. [y/N]"
                          : "Enlarge the window to go on, or press q to quit.");
}

/* The real cursor goes to the focused widget, or out of sight. */
static void place_cursor(void)
{
    int y, x;
    if (ui_focus_take(&y, &x)) {
        wmove(stdscr, y, x);
        curs_set(1);
    } else {
        curs_set(0);
    }
}

static void draw(app *a)
{
    getmaxyx(stdscr, a->rows, a->cols);
    if (a->redraw)
        clearok(curscr, TRUE);
    a->redraw = 0;
    if (too_small(a)) {
        draw_too_small(a);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    erase();
    draw_header(a);
    ui_rect body = {.y = 3, .x = 1, .h = a->rows - 6, .w = a->cols - 2};
    panel_for(a->wz.step)->draw(a, stdscr, body);
    help_draw(a);
    details_draw(a);
    rules_form_draw(a);
    draw_status(a);
    draw_footer(a);
    place_cursor();
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys ---- */

static void enter_panel(app *a)
{
    a->focus = 0;
    if (!app_busy(a))
        a->nprogress = 0;
    a->status[0] = '\0';
    a->status_error = 0;
    panel_for(a->wz.step)->enter(a);
}

void app_goto(app *a, wiz_step s)
{
    wiz_goto(&a->wz, s);
    enter_panel(a);
}

static void navigate(app *a, int how)
{
    int moved =
        how == PK_NEXT ? wiz_forward(&a->wz) : how == PK_BACK && !app_busy(a) && wiz_back(&a->wz);
    if (moved)
        enter_panel(a);
}

static int global_key(app *a, int key)
{
    if (a->quit_asked) {
        a->quit = key == 'y' || key == 'Y';
        a->quit_asked = 0;
        return 1;
    }
    if (key == KEY_RESIZE || key == CTRL('l')) {
        a->redraw = 1;
        return 1;
    }
    if (a->help_open) {
        help_key(a, key);
        return 1;
    }
    if (a->details_open) {
        details_key(a, key);
        return 1;
    }
    if (a->rules_open) {
        rules_form_key(a, key);
        return 1;
    }
    if (key == KEY_F(2) && details_more(a)) {
        details_open(a);
        return 1;
    }
    switch (key) {
    case KEY_F(1):
        help_open(a);
        return 1;
    case KEY_ESC:
        if (app_busy(a)) {
            worker_cancel(a->worker);
            app_set_status(a, 0, "cancelling...");
        } else {
            navigate(a, PK_BACK);
        }
        return 1;
    default:
        return 0;
    }
}

/* Keys the panel did not take: Enter goes on, q and ? as documented. */
static void fallback_key(app *a, int key)
{
    if (key == '\r' || key == '\n' || key == KEY_ENTER)
        navigate(a, PK_NEXT);
    else if (key == 'q' || key == 'Q')
        a->quit_asked = 1;
    else if (key == '?')
        help_open(a);
    else if (key == 'd' && details_more(a))
        details_open(a);
    else if (key == 'o' && rules_form_offered(a))
        rules_form_open(a);
}

static void handle_key(app *a, int key)
{
    /* A line break inside a bracketed paste is pasted text, never Enter: a
     * pasted line must not submit the panel (the field drops it). */
    if (key == UI_KEY_PASTE_BEGIN || key == UI_KEY_PASTE_END)
        a->pasting = key == UI_KEY_PASTE_BEGIN;
    else if (a->pasting && (key == '\r' || key == '\n' || key == KEY_ENTER))
        return;
    /* Too small, the panel is not shown: no key may act on it unseen. */
    if (too_small(a) && !a->quit_asked && key != KEY_RESIZE && key != CTRL('l')) {
        if (key == 'q' || key == 'Q')
            a->quit_asked = 1;
        return;
    }
    /* Inside a paste, ESC is pasted text (the field shows it escaped). */
    if (!(a->pasting && key == KEY_ESC) && global_key(a, key))
        return;
    int r = panel_for(a->wz.step)->key(a, key);
    if (r == PK_NEXT || r == PK_BACK)
        navigate(a, r);
    else if (r == PK_UNUSED)
        fallback_key(a, key);
}

static void read_keys(app *a)
{
    int key;
    /* Inside a paste an ESC is text, shown escaped: nothing to swallow. */
    while ((key = wgetch(stdscr)) != ERR)
        if (key != KEY_ESC || a->pasting || !keybar_swallow_sequence(stdscr))
            handle_key(a, key);
}

/* ---- worker events ---- */

static void read_events(app *a)
{
    worker_event ev;
    while (worker_take(a->worker, &ev)) {
        if (ev.kind == WORKER_PROGRESS) {
            app_progress(a, ev.text);
        } else if (ev.job_id == a->job) {
            a->job = 0;
            panel_for(a->wz.step)->done(a, &ev);
        } else if (ev.job_id == a->read_ahead) {
            read_ahead_done(a, &ev);
            worker_event_discard(&ev);
        } else {
            worker_event_discard(&ev); /* a job the wizard stopped waiting for */
        }
        worker_event_free(&ev);
    }
}

/* ---- the loop ---- */

static void handle_signals(app *a)
{
    if (got_term) {
        a->quit = 1; /* hang-up or kill: the state file already holds the progress */
    } else if (got_int) {
        got_int = 0;
        if (app_busy(a))
            worker_cancel(a->worker);
        a->quit_asked = 1;
    }
}

static int wait_for_input(app *a)
{
    struct pollfd fds[2] = {{term_input_fd(), POLLIN, 0}, {worker_wake_fd(a->worker), POLLIN, 0}};
    /* Idle means asleep; a running job ticks once a second for its clock. */
    struct timespec tick = {1, 0};
    int rc = ppoll(fds, 2, a->job ? &tick : NULL, &wait_mask);
    if (rc < 0 && errno != EINTR)
        return -1;
    if (rc > 0 && (fds[0].revents & (POLLHUP | POLLERR)))
        return -1; /* the terminal went away */
    if (rc == 0)
        a->spinner++;
    return 0;
}

static void loop(app *a)
{
    enter_panel(a);
    while (!a->quit) {
        draw(a);
        if (wait_for_input(a) < 0)
            break;
        handle_signals(a);
        read_events(a);
        read_keys(a);
    }
}

static void define_paste_keys(void)
{
    define_key("\033[200~", UI_KEY_PASTE_BEGIN);
    define_key("\033[201~", UI_KEY_PASTE_END);
    keybar_define_keys();
}

static void app_free(app *a)
{
    for (int i = 0; i < COPY__N; i++)
        free(a->copy_text[i]);
    app_set_policy_parts(a, NULL, 0);
    for (int i = 0; i < 3; i++)
        textfield_free(&a->field[i]);
    rules_form_free(a);
    textpane_free(&a->policy);
    textpane_free(&a->help);
    textpane_free(&a->details);
    if (a->have_detected)
        wiz_detected_free(&a->detected);
    wiz_accounts_free(&a->accounts);
    if (a->have_result)
        wiz_connect_result_free(&a->result);
    wiz_settings_wipe(&a->settings);
}

/* A line on the normal screen, after curses: text from outside (a path
 * from the environment, a terminal name) is escaped (util/escape.h). */
static void say_escaped(const char *what, const char *text)
{
    char *shown = escape_str(text);
    fprintf(stderr, "spot-connect: %s%s\n", what, shown);
    free(shown);
}

static const char *known(const char *now, const char *saved)
{
    return now && now[0] ? now : saved && saved[0] ? saved : NULL;
}

/* Left on the normal screen, so it stays in the scrollback: what the
 * operator needs after the wizard is gone. Nothing when nothing was done. */
static void print_summary(const app *a)
{
    const connect_result *r = a->have_result ? &a->result.r : NULL;
    const wiz_detected *d = &a->detected;
    const char *acct =
        known(r ? r->spot_account_id : NULL, known(a->wz.spot_account, d->saved_spot_account));
    const char *ext = known(a->wz.external_id, d->saved_external_id);
    const char *role = known(r ? r->role_arn : NULL, known(a->wz.role_arn, d->saved_role_arn));
    int connected = r ? r->connected : a->wz.resumed && d->saved_connected;
    if (!acct && !ext && !role)
        return;
    /* Answers from Spot and the operator: shown, never obeyed. */
    char *acct_s = escape_str(acct ? acct : "-"), *ext_s = escape_str(ext ? ext : "-");
    char *role_s = escape_str(role ? role : "-");
    printf("spot-connect summary:\n  Spot account: %s\n  External ID:  %s\n  Role ARN:     %s\n",
           acct_s, ext_s, role_s);
    if (a->wz.method == CONNECT_CONSOLE && role)
        printf("  Status:       AWS side ready; paste this ARN in the Spot console: %s\n", role_s);
    else
        printf("  Status:       %s\n", connected ? "connected to Spot"
                                                 : "not connected yet; run spot-connect again "
                                                   "to resume");
    fflush(stdout);
    free(acct_s);
    free(ext_s);
    free(role_s);
}

int app_run(const wiz_settings *s, int no_color, int ascii)
{
    static app a; /* large; one per process */
    memset(&a, 0, sizeof a);
    wiz_init(&a.wz);
    a.settings = *s;
    a.settings.answers = answers_new();
    char why[300];
    term_options to = {.no_color = no_color, .ascii = ascii};
    if (term_start(&to, why, sizeof why) < 0) {
        say_escaped("", why);
        return 1;
    }
    define_paste_keys();
    idlok(stdscr, TRUE);
    install_signals();
    a.worker = worker_start();
    loop(&a);
    /* The terminal first: whatever the job does now, the operator gets a
     * usable shell back. */
    worker_cancel(a.worker);
    term_end();
    int connected = a.have_result && a.result.r.connected;
    int rc = connected || a.wz.step == W_DONE ? 0 : 130;
    int stopped = worker_stop_within(a.worker, APP_JOIN_SECONDS) == 0;
    print_summary(&a);
    if (a.state_file[0])
        say_escaped("state saved in ", a.state_file);
    if (!stopped) {
        /* The job ignores the cancel flag; it must not hold the exit. */
        fputs("spot-connect: a background call did not stop in time; left without it\n", stderr);
        fflush(NULL);
        _exit(rc);
    }
    answers_free(a.settings.answers); /* the worker, its only user, has stopped */
    app_free(&a);
    return rc;
}
