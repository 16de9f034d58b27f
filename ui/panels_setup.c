/* Panels 1-7: the questions before anything is created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "doc/policy.h"
#include "doc/trust.h"
#include "panels.h"
#include "theme.h"
#include "util/xalloc.h"

#define TAB '\t'

/* ---- helpers ---- */

void pnl_list_reset(app *a, int multi)
{
    memset(&a->list, 0, sizeof a->list);
    memset(a->items, 0, sizeof a->items);
    a->list.items = a->items;
    a->list.multi = multi;
}

void pnl_list_add(app *a, const char *label, const char *hint, int on)
{
    if (a->list.n >= sizeof a->items / sizeof a->items[0])
        return;
    a->items[a->list.n].label = label;
    a->items[a->list.n].hint = hint;
    a->items[a->list.n].on = on;
    a->list.n++;
}

int pnl_text(app *a, WINDOW *w, ui_rect *r, const char *text)
{
    (void)a;
    int used = ui_wrap(w, *r, theme_attr(UI_NORMAL), text);
    r->y += used + 1;
    r->h -= used + 1;
    return used;
}

void pnl_field_set(app *a, int i, const char *text, int masked)
{
    textfield_set(&a->field[i], text);
    a->field[i].masked = masked;
}

ui_rect pnl_take(ui_rect *r, int h)
{
    ui_rect top = {.y = r->y, .x = r->x, .h = h < r->h ? h : r->h, .w = r->w};
    r->y += top.h;
    r->h -= top.h;
    return top;
}

/* ---- 1. Welcome ---- */

static void welcome_enter(app *a)
{
    if (!a->have_detected && !app_busy(a))
        app_start_job(a, wiz_job_detect(a->worker, &a->settings));
}

static void detected_lines(app *a, char *out, size_t len)
{
    const wiz_detected *d = &a->detected;
    int n = snprintf(out, len, "Session: %s%s%s\n", d->ssh ? "over SSH" : "local terminal",
                     d->tmux ? ", inside tmux" : "", d->screen ? ", inside GNU screen" : "");
    if (d->aws_ok)
        n += snprintf(out + n, len - (size_t)n, "AWS credentials: %s, account %s\n  %s\n",
                      d->aws_source, d->aws_account, d->aws_arn);
    else
        n += snprintf(out + n, len - (size_t)n, "AWS credentials: none found (%.200s)\n",
                      d->aws_problem);
    if (!d->have_token && d->token_problem[0])
        n += snprintf(out + n, len - (size_t)n, "Spot token: not used: %.300s\n", d->token_problem);
    else
        n += snprintf(out + n, len - (size_t)n, "Spot token: %s%s\n",
                      d->have_token ? "found in "
                                    : "not found: type one later, or connect through the "
                                      "Spot console",
                      d->have_token ? d->token_source : "");
    if (d->have_token && d->token_problem[0])
        snprintf(out + n, len - (size_t)n, "  note: %.300s\n", d->token_problem);
}

/* The saved run in words, as resume would restore it. */
static void welcome_resume_words(const app *a, char *out, size_t len)
{
    static wizard tmp; /* large; the UI thread only */
    tmp = a->wz;
    wiz_saved saved;
    wiz_detected_saved(&a->detected, &saved);
    wiz_step at = wiz_apply_saved(&tmp, &saved);
    wiz_resume_text(&tmp, at, out, len);
}

static void welcome_draw(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r,
             "This wizard connects an AWS account to Spot, as the Spot console's \"Connect "
             "AWS Account\" does: a Spot account, the IAM policy Spot needs, the role Spot "
             "assumes with its External ID, and the role handed to Spot. Every step can be "
             "resumed: quitting keeps what was done.");
    if (!a->have_detected) {
        pnl_text(a, w, &r, "Looking at this machine...");
        return;
    }
    char text[1200];
    detected_lines(a, text, sizeof text);
    pnl_text(a, w, &r, text);
    if (a->updated) {
        ui_wrap(w, r, theme_attr(UI_NORMAL), a->update_text);
    } else if (a->detected.saved && a->detected.saved_connected && a->detected.drifted) {
        char drift[1100];
        snprintf(drift, sizeof drift,
                 "This AWS account is connected to Spot, but its IAM role or policy drifted "
                 "from what spot-connect writes:\n%.800sPress u to update them (as "
                 "'spot-connect update' does; the Spot side is kept), r to see the connection, "
                 "or Enter to go through the steps again.",
                 a->detected.drift_text);
        ui_wrap(w, r, theme_attr(UI_WARN), drift);
    } else if (a->detected.saved && a->detected.saved_connected) {
        ui_wrap(w, r, theme_attr(UI_WARN),
                "This AWS account was connected to Spot before. Press r to see the connection, "
                "or Enter to go through the steps again.");
    } else if (a->detected.saved) {
        char words[300], resume[400];
        welcome_resume_words(a, words, sizeof words);
        snprintf(resume, sizeof resume,
                 "A connection in progress was found: %s. Press r to resume it, or Enter to go "
                 "through the steps again.",
                 words);
        ui_wrap(w, r, theme_attr(UI_WARN), resume);
    } else {
        ui_wrap(w, r, theme_attr(UI_DIM), "Press Enter to begin.");
    }
}

/* The engine's call log sits next to the state file: <stem>.log. */
static void log_beside(app *a, const char *state_path)
{
    const char *dot = strrchr(state_path, '.');
    int stem = dot && !strchr(dot, '/') ? (int)(dot - state_path) : (int)strlen(state_path);
    snprintf(a->log_file, sizeof a->log_file, "%.*s.log", stem, state_path);
}

/* Every saved answer comes back; only a token typed last time (never
 * saved) is asked for again, on the Spot panel, before going on. */
static void resume_saved(app *a)
{
    const wiz_detected *d = &a->detected;
    wiz_saved saved;
    wiz_detected_saved(d, &saved);
    wiz_step at = wiz_apply_saved(&a->wz, &saved);
    snprintf(a->state_file, sizeof a->state_file, "%s", d->state_path);
    log_beside(a, d->state_path);
    int token = a->wz.method == CONNECT_CONSOLE || d->have_token || a->settings.token[0];
    if (!token && at > W_SPOT && at != W_DONE) {
        a->resume_to = at;
        app_goto(a, W_SPOT);
        app_set_status(a, 0,
                       "Resuming: the Spot token typed last time is never saved; type it "
                       "again to go on.");
        return;
    }
    app_goto(a, at);
}

static int welcome_key(app *a, int key)
{
    if (app_busy(a)) /* wait for the detection; q still quits */
        return key == 'q' || key == 'Q' ? PK_UNUSED : PK_USED;
    if (key == 'r' && a->have_detected && a->detected.saved) {
        resume_saved(a);
        return PK_USED;
    }
    if (key == 'u' && a->have_detected && a->detected.drifted && !a->updated) {
        a->updating = 1;
        app_set_status(a, 0, "Updating the role and policy...");
        app_start_job(a, wiz_job_update(a->worker, &a->settings, &a->detected));
        return PK_USED;
    }
    return PK_UNUSED;
}

static void update_done(app *a, const worker_event *ev)
{
    const wiz_update_result *u = ev->result;
    a->updating = 0;
    if (ev->status != ST_OK) {
        app_set_status(a, 1, "Update failed: %s", ev->err.message);
    } else {
        a->updated = 1;
        a->detected.drifted = 0;
        snprintf(a->update_text, sizeof a->update_text,
                 "Updated: the role and policy are as spot-connect writes them again.\n%s%.1100s"
                 "Press r to see the connection, or Enter to go through the steps again.",
                 u && u->nchanged ? "Changed:\n" : "Nothing needed changing.\n", u ? u->text : "");
        app_set_status(a, 0, "Update done: %zu item(s) changed.", u ? u->nchanged : 0);
    }
    free(ev->result);
}

static void welcome_done(app *a, const worker_event *ev)
{
    if (a->updating) {
        update_done(a, ev);
        return;
    }
    if (ev->result) {
        a->detected = *(wiz_detected *)ev->result;
        free(ev->result);
        a->have_detected = 1;
        if (!a->detected.have_token)
            a->wz.method = CONNECT_CONSOLE;
    }
}

const panel_ops panel_welcome = {welcome_enter, welcome_draw, welcome_key, welcome_done,
                                 "Shows what spot-connect found on this machine. Enter starts; "
                                 "r resumes a connection left half-way; u updates a connected "
                                 "account whose role or policy drifted; q quits."};

/* ---- 2. Cloud provider ---- */

static void provider_enter(app *a)
{
    pnl_list_reset(a, 0);
    pnl_list_add(a, "AWS - Linked Account", "the account you are signed in to", 1);
    pnl_list_add(a, "Azure", "(use the Spot console)", 0);
    pnl_list_add(a, "Google Cloud", "(use the Spot console)", 0);
    a->items[1].disabled = a->items[2].disabled = 1;
}

static void provider_draw(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r, "Which cloud account will Spot manage?");
    choicelist_draw(&a->list, w, pnl_take(&r, 5), 1);
}

static int provider_key(app *a, int key)
{
    return choicelist_key(&a->list, key) ? PK_USED : PK_UNUSED;
}

void pnl_no_done(app *a, const worker_event *ev)
{
    (void)a, (void)ev;
}

const panel_ops panel_provider = {provider_enter, provider_draw, provider_key, pnl_no_done,
                                  "spot-connect connects AWS accounts. Enter goes on."};

/* ---- 3. Connection method ---- */

static void method_enter(app *a)
{
    pnl_list_reset(a, 0);
    /* Hints fit 80 columns: nothing is cut at the smallest size. */
    pnl_list_add(a, "Automatically", "spot-connect creates the policy and role (your AWS keys)", 0);
    pnl_list_add(a, "Manually", "you create them in the AWS console, copying values from here", 0);
    pnl_list_add(a, "Through the Spot console", "no Spot token: paste the console's External ID",
                 0);
    a->list.cursor = (size_t)a->wz.method;
}

/* Each path's length where it is chosen: the header's count never jumps. */
static void method_draw_counts(app *a, WINDOW *w, ui_rect *r)
{
    const wizard *z = &a->wz;
    char text[300];
    snprintf(text, sizeof text,
             "Automatically: %d steps. Manually: %d steps. Through the Spot console: %d steps. "
             "GovCloud and China: %d steps (no Permissions step).",
             wiz_step_count_for(z, CONNECT_AUTOMATIC, WP_AWS),
             wiz_step_count_for(z, CONNECT_MANUAL, WP_AWS),
             wiz_step_count_for(z, CONNECT_CONSOLE, WP_AWS),
             wiz_step_count_for(z, CONNECT_AUTOMATIC, WP_GOV));
    pnl_text(a, w, r, text);
}

static void method_draw(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r, "How should the IAM policy and role be created?");
    choicelist_draw(&a->list, w, pnl_take(&r, 4), 1);
    method_draw_counts(a, w, &r);
    if (!a->detected.have_token)
        ui_wrap(w, r, theme_attr(UI_DIM),
                "No Spot token was found: Automatically and Manually will ask for one.");
}

static int method_key(app *a, int key)
{
    if (choicelist_key(&a->list, key))
        return PK_USED;
    if (key == '\r' || key == KEY_ENTER) {
        a->wz.method = (connect_method)choicelist_selected(&a->list);
        return PK_NEXT;
    }
    return PK_UNUSED;
}

const panel_ops panel_method = {
    method_enter, method_draw, method_key, pnl_no_done,
    "Automatically: spot-connect makes every AWS call. Manually: you click through the AWS "
    "console while spot-connect shows what to paste. Spot console: for when this machine has no "
    "Spot token."};

/* ---- 4. GovCloud or China ---- */

static void partition_enter(app *a)
{
    pnl_list_reset(a, 0);
    pnl_list_add(a, "No", "a commercial AWS account", 0);
    pnl_list_add(a, "GovCloud", "aws-us-gov", 0);
    pnl_list_add(a, "China", "aws-cn", 0);
    a->list.cursor = (size_t)a->wz.partition;
    pnl_field_set(a, 0, a->wz.spot_principal, 0);
}

static void partition_draw_counts(app *a, WINDOW *w, ui_rect *r)
{
    const wizard *z = &a->wz;
    char text[300];
    snprintf(text, sizeof text,
             "%s path: %d steps with No; %d with GovCloud or China (no Permissions step).",
             z->method == CONNECT_MANUAL    ? "Manual"
             : z->method == CONNECT_CONSOLE ? "Console"
                                            : "Automatic",
             wiz_step_count_for(z, z->method, WP_AWS), wiz_step_count_for(z, z->method, WP_GOV));
    pnl_text(a, w, r, text);
}

static void partition_draw(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r, "Is this an AWS GovCloud or China account?");
    choicelist_draw(&a->list, w, pnl_take(&r, 4), a->focus == 0);
    partition_draw_counts(a, w, &r);
    if (choicelist_selected(&a->list) == 0)
        return;
    pnl_text(a, w, &r,
             "In GovCloud and China the policy cannot be customised (full policy only), and "
             "Spot's AWS account there is not public: copy it from the Spot console's role "
             "step (Tab to the field).");
    ui_put(w, r.y, r.x, 24, theme_attr(UI_NORMAL), "Spot's AWS account ID:");
    textfield_draw(&a->field[0], w, (ui_rect){.y = r.y, .x = r.x + 24, .h = 1, .w = 16},
                   a->focus == 1);
}

static int partition_commit(app *a)
{
    a->wz.partition = (wiz_partition)choicelist_selected(&a->list);
    textfield_trim(&a->field[0]);
    if (a->wz.partition == WP_AWS) {
        a->wz.spot_principal[0] = '\0';
        return PK_NEXT;
    }
    char principal[13];
    sc_error err;
    const char *names[] = {"aws", "aws-us-gov", "aws-cn"};
    if (trust_principal(names[a->wz.partition], a->field[0].text, principal, &err) != ST_OK) {
        app_set_status(a, 1, "%s", err.message);
        a->focus = 1;
        return PK_USED;
    }
    snprintf(a->wz.spot_principal, sizeof a->wz.spot_principal, "%s", principal);
    return PK_NEXT;
}

static int partition_key(app *a, int key)
{
    if (key == TAB || key == KEY_BTAB) {
        a->focus = choicelist_selected(&a->list) ? !a->focus : 0;
        return PK_USED;
    }
    if (key == '\r' || key == KEY_ENTER)
        return partition_commit(a);
    if (a->focus == 1)
        return textfield_key(&a->field[0], key) ? PK_USED : PK_UNUSED;
    return choicelist_key(&a->list, key) ? PK_USED : PK_UNUSED;
}

const panel_ops panel_partition = {partition_enter, partition_draw, partition_key, pnl_no_done,
                                   "GovCloud and China use other ARNs and another Spot account; "
                                   "the Spot console shows its ID."};

/* ---- 7. Permissions ---- */

static void permissions_enter(app *a)
{
    pnl_list_reset(a, 1);
    for (size_t i = 0; i < a->wz.nbundles; i++)
        pnl_list_add(a, policy_bundle_title(i), policy_bundle_about(i), a->wz.bundle_on[i]);
    app_read_ahead(a); /* the account and the login are known: IAM can be asked */
}

static void permissions_draw(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r,
             "The permission bundles of Spot's policy (Space toggles, a toggles all). Without a "
             "bundle, the Spot features that need it will not work.");
    choicelist_draw(&a->list, w, r, 1);
}

static int permissions_key(app *a, int key)
{
    if (choicelist_key(&a->list, key))
        return PK_USED;
    if (key != '\r' && key != KEY_ENTER)
        return PK_UNUSED;
    int any = 0;
    for (size_t i = 0; i < a->list.n; i++)
        any |= a->wz.bundle_on[i] = a->items[i].on;
    if (!any) {
        app_set_status(a, 1, "choose at least one bundle");
        return PK_USED;
    }
    return PK_NEXT;
}

const panel_ops panel_permissions = {permissions_enter, permissions_draw, permissions_key,
                                     pnl_no_done, "Each bundle is one statement of Spot's policy."};
