/* Panels 5 and 6: the Spot account and the AWS login. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "doc/trust.h"
#include "panels.h"
#include "spot/spot.h"
#include "theme.h"

#define TAB '\t'

/* ---- 5. Spot account ---- */

static int needs_token(const app *a)
{
    return !a->detected.have_token && !a->settings.token[0];
}

static void load_accounts(app *a)
{
    wiz_accounts_free(&a->accounts);
    app_start_job(a, wiz_job_accounts(a->worker, &a->settings));
}

/* Linked to the AWS account of these credentials. */
static int linked_here(const app *a, const wiz_account *acc)
{
    return a->detected.aws_ok && acc->aws_account[0] &&
           strcmp(acc->aws_account, a->detected.aws_account) == 0;
}

static const char *account_note(const app *a, const wiz_account *acc, char *buf, size_t n)
{
    if (!acc->connected)
        return NULL;
    if (!linked_here(a, acc))
        return "(already connected)";
    const char *role = strrchr(acc->role_arn, '/');
    snprintf(buf, n, "(linked to this AWS account%s%s)", role ? ", role " : "",
             role ? role + 1 : "");
    return buf;
}

static void spot_build_list(app *a)
{
    static char labels[64][200];
    static char notes[64][120];
    pnl_list_reset(a, 0);
    for (size_t i = 0; i < a->accounts.n && i < 62; i++) {
        const wiz_account *acc = &a->accounts.items[i];
        snprintf(labels[i], sizeof labels[i], "%s  %s", acc->id, acc->name);
        pnl_list_add(a, labels[i], account_note(a, acc, notes[i], sizeof notes[i]), 0);
    }
    pnl_list_add(a, "Create a new Spot account", "named below", 0);
    a->list.cursor = a->list.n - 1;
    for (size_t i = 0; i + 1 < a->list.n; i++)
        if (!a->wz.spot_account[0] && linked_here(a, &a->accounts.items[i]))
            a->list.cursor = i; /* the link Spot has already: kept, not replaced */
    for (size_t i = 0; i + 1 < a->list.n; i++)
        if (strcmp(a->accounts.items[i].id, a->wz.spot_account) == 0)
            a->list.cursor = i; /* back here: the account chosen before */
}

static void spot_enter(app *a)
{
    if (a->wz.method == CONNECT_CONSOLE) {
        pnl_field_set(a, 0, a->wz.external_id, 0);
        return;
    }
    pnl_field_set(a, 0, "", 1);
    a->rotate_asked = 0;
    char name[140];
    snprintf(name, sizeof name, "%s%s", a->detected.aws_ok ? "aws-" : "",
             a->detected.aws_ok ? a->detected.aws_account : "");
    pnl_field_set(a, 1, a->wz.spot_account_name[0] ? a->wz.spot_account_name : name, 0);
    spot_build_list(a);
    if (!needs_token(a) && !app_busy(a))
        load_accounts(a);
}

/* A warning, not a refusal: the console is the authority on its IDs. */
static void spot_draw_extid_warning(app *a, WINDOW *w, ui_rect r)
{
    const char *typed = a->field[0].text ? a->field[0].text : "";
    while (*typed == ' ')
        typed++;
    if (!*typed || wiz_external_id_looks_spot(typed))
        return;
    ui_wrap(w, r, theme_attr(UI_WARN),
            "Warning: this does not look like a Spot External ID (spotinst:aws:extid: and 16 "
            "letters and digits). Check that you copied the whole ID from the Spot console; "
            "Enter uses it as it is.");
}

static void spot_draw_console(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r,
             "In the Spot console: Connect AWS Account, Manually. Copy the External ID it shows "
             "in the role step and paste it here. spot-connect then creates the policy and the "
             "role, and gives you the role ARN to paste back into the console.");
    ui_put(w, r.y, r.x, 14, theme_attr(UI_NORMAL), "External ID:");
    textfield_draw(&a->field[0], w, (ui_rect){.y = r.y, .x = r.x + 14, .h = 1, .w = r.w - 14}, 1);
    pnl_take(&r, 2);
    spot_draw_extid_warning(a, w, r);
}

static void spot_draw(app *a, WINDOW *w, ui_rect r)
{
    if (a->wz.method == CONNECT_CONSOLE) {
        spot_draw_console(a, w, r);
        return;
    }
    if (needs_token(a)) {
        pnl_text(a, w, &r,
                 "No Spot token was found. Type an organization-admin API token (Spot console: "
                 "Settings, API). It is used for this session only and never saved.");
        ui_put(w, r.y, r.x, 12, theme_attr(UI_NORMAL), "Spot token:");
        textfield_draw(&a->field[0], w, (ui_rect){.y = r.y, .x = r.x + 12, .h = 1, .w = r.w - 12},
                       1);
        return;
    }
    pnl_text(a, w, &r, "Which Spot account should this AWS account be linked to?");
    /* The name belongs to "Create a new Spot account": right under the list. */
    int rows = (int)a->list.n < r.h - 2 ? (int)a->list.n : r.h - 2;
    ui_rect list = pnl_take(&r, rows);
    choicelist_draw(&a->list, w, list, a->focus == 0);
    ui_put(w, r.y + 1, r.x, 10, theme_attr(UI_NORMAL), "New name:");
    textfield_draw(&a->field[1], w, (ui_rect){.y = r.y + 1, .x = r.x + 10, .h = 1, .w = r.w - 10},
                   a->focus == 1);
}

static int console_commit(app *a)
{
    textfield_trim(&a->field[0]);
    char *doc = NULL;
    sc_error err;
    if (trust_policy_build("aws", TRUST_SPOT_ACCOUNT_AWS, a->field[0].text, &doc, &err) != ST_OK) {
        app_set_status(a, 1, "%s", err.message);
        return PK_USED;
    }
    free(doc);
    snprintf(a->wz.external_id, sizeof a->wz.external_id, "%s", a->field[0].text);
    return PK_NEXT;
}

/* The account under the cursor when Spot links it to this AWS account. */
static const wiz_account *cursor_linked(const app *a)
{
    size_t at = a->list.cursor;
    if (a->focus != 0 || at + 1 >= a->list.n || at >= a->accounts.n)
        return NULL;
    return linked_here(a, &a->accounts.items[at]) ? &a->accounts.items[at] : NULL;
}

int spot_rotate_offered(const app *a)
{
    return a->wz.step == W_SPOT && !app_busy(a) && cursor_linked(a) != NULL;
}

/* r on the linked account: a new External ID breaks the working role's
 * trust until it is updated, so it is asked for, never the default. */
static int rotate_key(app *a, int key)
{
    const wiz_account *acc = cursor_linked(a);
    if (a->rotate_asked) {
        a->rotate_asked = 0;
        a->wz.rotate_external_id = acc && (key == 'y' || key == 'Y');
        app_set_status(a, 0, "%s",
                       a->wz.rotate_external_id
                           ? "The External ID will be rotated: the role's trust is updated first."
                           : "Not rotated: the External ID the role trusts is kept.");
        return 1;
    }
    if (!acc || (key != 'r' && key != 'R'))
        return 0;
    a->rotate_asked = 1;
    app_set_status(a, 1, "Rotate the External ID? The old one stops working. y/n");
    return 1;
}

static int spot_commit(app *a)
{
    size_t pick = choicelist_selected(&a->list);
    if (pick + 1 >= a->list.n || !linked_here(a, &a->accounts.items[pick]))
        a->wz.rotate_external_id = 0; /* only ever for the link Spot has */
    if (pick + 1 < a->list.n) {
        snprintf(a->wz.spot_account, sizeof a->wz.spot_account, "%s", a->accounts.items[pick].id);
        return PK_NEXT;
    }
    textfield_trim(&a->field[1]);
    const char *problem = spot_account_name_problem(a->field[1].text);
    if (problem) {
        app_set_status(a, 1, "%s", problem);
        a->focus = 1;
        return PK_USED;
    }
    a->wz.spot_account[0] = '\0';
    snprintf(a->wz.spot_account_name, sizeof a->wz.spot_account_name, "%s", a->field[1].text);
    return PK_NEXT;
}

static int token_key(app *a, int key)
{
    if (!pnl_is_enter(key))
        return textfield_key(&a->field[0], key) ? PK_USED : PK_UNUSED;
    textfield_trim(&a->field[0]);
    if (!a->field[0].len) {
        app_set_status(a, 1, "type the token, or go back (Esc) and choose the Spot console");
        return PK_USED;
    }
    snprintf(a->settings.token, sizeof a->settings.token, "%s", a->field[0].text);
    textfield_set(&a->field[0], "");
    load_accounts(a);
    return PK_USED;
}

static int spot_key(app *a, int key)
{
    if (a->wz.method == CONNECT_CONSOLE)
        return pnl_is_enter(key)                  ? console_commit(a)
               : textfield_key(&a->field[0], key) ? PK_USED
                                                  : PK_UNUSED;
    if (needs_token(a))
        return token_key(a, key);
    if (app_busy(a))
        return pnl_is_enter(key) ? PK_USED : PK_UNUSED;
    if (key == TAB || key == KEY_BTAB) {
        a->focus = !a->focus;
        return PK_USED;
    }
    if (rotate_key(a, key))
        return PK_USED;
    if (pnl_is_enter(key))
        return spot_commit(a);
    if (a->focus == 1)
        return textfield_key(&a->field[1], key) ? PK_USED : PK_UNUSED;
    return choicelist_key(&a->list, key) ? PK_USED : PK_UNUSED;
}

static void spot_done(app *a, const worker_event *ev)
{
    if (ev->status != ST_OK) {
        app_set_status(a, 1, "Spot: %s%s%s", ev->err.code, ev->err.code[0] ? ": " : "",
                       ev->err.message);
        if (ev->err.http_status == 401 || ev->err.http_status == 403) {
            /* Stay here, on the (masked) token field, whichever token it was;
             * Welcome says why a token it found is no longer used. */
            if (a->detected.have_token && !a->settings.token[0])
                snprintf(a->detected.token_problem, sizeof a->detected.token_problem,
                         "Spot rejected the token from %s (HTTP %d)", a->detected.token_source,
                         (int)ev->err.http_status);
            a->settings.token[0] = '\0';
            a->detected.have_token = 0;
            pnl_field_set(a, 0, "", 1);
            a->focus = 0;
            app_set_status(a, 1, "Spot rejected the token (HTTP %d): type a valid one",
                           (int)ev->err.http_status);
        }
        return;
    }
    a->accounts = *(wiz_accounts *)ev->result;
    free(ev->result);
    spot_build_list(a);
    app_set_status(a, 0, "%zu Spot account(s) in this organization", a->accounts.n);
    if (a->resume_to) /* the token typed again works: on to where the run stopped */
        pnl_resume_go(a);
}

const panel_ops panel_spot = {spot_enter, spot_draw, spot_key, spot_done,
                              "Pick the Spot account to link, or name a new one. Tab moves to "
                              "the name field. Accounts already connected elsewhere are marked."};

/* ---- 6. AWS login ---- */

/* The last two items: the instance role, then typed keys. */
static size_t instance_item(const app *a)
{
    return a->list.n - 2;
}

static size_t keys_item(const app *a)
{
    return a->list.n - 1;
}

static void login_enter(app *a)
{
    a->verified = 0;
    a->partition_wrong = 0;
    pnl_list_reset(a, 0);
    static char detected[300];
    snprintf(detected, sizeof detected, "Detected credentials (%s%s%s)",
             a->detected.aws_ok ? a->detected.aws_source : "none found",
             a->detected.aws_ok ? ", account " : "",
             a->detected.aws_ok ? a->detected.aws_account : "");
    pnl_list_add(a, detected, NULL, 0);
    for (size_t i = 0; i < a->detected.nprofiles && a->list.n < 60; i++)
        pnl_list_add(a, a->detected.profiles[i],
                     a->detected.profile_notes && a->detected.profile_notes[i]
                         ? a->detected.profile_notes[i]
                         : "profile",
                     0);
    pnl_list_add(a, "Instance role", "this EC2 instance's role (instance metadata)", 0);
    pnl_list_add(a, "Type access keys", "used for this session only", 0);
    a->items[0].disabled = !a->detected.aws_ok;
    a->list.cursor = a->detected.aws_ok ? 0 : keys_item(a);
    pnl_field_set(a, 0, "", 0);
    pnl_field_set(a, 1, "", 1);
}

static void login_draw_manual(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r,
             "1. Open https://console.aws.amazon.com/ in a browser.\n"
             "2. Sign in to the AWS account to connect, as a user allowed to create IAM policies "
             "and roles.\n"
             "3. Keep it open: the next two steps are done there, with values to copy from here.");
    if (a->detected.aws_ok) {
        char who[400];
        snprintf(who, sizeof who,
                 "Credentials on this machine: account %s (%s). The role ARN "
                 "you paste later is checked against it.",
                 a->detected.aws_account, a->detected.aws_arn);
        ui_wrap(w, r, theme_attr(UI_DIM), who);
    }
}

static void login_draw(app *a, WINDOW *w, ui_rect r)
{
    if (a->wz.method == CONNECT_MANUAL) {
        login_draw_manual(a, w, r);
        return;
    }
    pnl_text(a, w, &r, "Which AWS credentials should create the policy and role?");
    ui_rect list = pnl_take(&r, r.h - 4 > 3 ? r.h - 4 : 3);
    choicelist_draw(&a->list, w, list, a->focus == 0);
    if (choicelist_selected(&a->list) == keys_item(a)) {
        ui_put(w, r.y, r.x, 20, theme_attr(UI_NORMAL), "Access key ID:");
        textfield_draw(&a->field[0], w, (ui_rect){.y = r.y, .x = r.x + 20, .h = 1, .w = 44},
                       a->focus == 1);
        ui_put(w, r.y + 1, r.x, 20, theme_attr(UI_NORMAL), "Secret access key:");
        textfield_draw(&a->field[1], w, (ui_rect){.y = r.y + 1, .x = r.x + 20, .h = 1, .w = 44},
                       a->focus == 2);
    }
    if (a->verified) {
        char who[400];
        snprintf(who, sizeof who, "Verified: %s. Enter goes on.", a->detected.aws_arn);
        ui_put(w, r.y + 3, r.x, r.w, theme_attr(UI_OK), who);
    }
}

static void login_verify(app *a)
{
    size_t pick = choicelist_selected(&a->list);
    wiz_settings *s = &a->settings;
    a->partition_wrong = 0; /* checked again */
    s->profile[0] = s->access_key[0] = s->secret_key[0] = '\0';
    s->instance_role = pick == instance_item(a);
    if (pick == keys_item(a)) {
        textfield_trim(&a->field[0]);
        snprintf(s->access_key, sizeof s->access_key, "%s", a->field[0].text);
        snprintf(s->secret_key, sizeof s->secret_key, "%s", a->field[1].text);
    } else if (pick > 0 && pick < instance_item(a)) {
        snprintf(s->profile, sizeof s->profile, "%s", a->detected.profiles[pick - 1]);
    }
    app_start_job(a, wiz_job_identity(a->worker, s));
}

static int login_key(app *a, int key)
{
    if (a->wz.method == CONNECT_MANUAL || app_busy(a))
        return app_busy(a) && pnl_is_enter(key) ? PK_USED : PK_UNUSED;
    if (key == 'g' && a->partition_wrong && a->focus == 0) {
        app_goto(a, W_PARTITION);
        return PK_USED;
    }
    int keys = choicelist_selected(&a->list) == keys_item(a);
    if (key == TAB || key == KEY_BTAB) {
        a->focus = keys ? (a->focus + 1) % 3 : 0;
        return PK_USED;
    }
    if (pnl_is_enter(key)) {
        if (a->verified)
            return PK_NEXT;
        login_verify(a);
        return PK_USED;
    }
    a->verified = 0;
    if (a->focus > 0)
        return textfield_key(&a->field[a->focus - 1], key) ? PK_USED : PK_UNUSED;
    return choicelist_key(&a->list, key) ? PK_USED : PK_UNUSED;
}

static void login_done(app *a, const worker_event *ev)
{
    wiz_detected *d = ev->result;
    char why[400];
    if (ev->status == ST_OK && d &&
        wiz_partition_mismatch(&a->wz, d->aws_arn, WIZ_ARN_CREDENTIALS, why, sizeof why)) {
        a->partition_wrong = 1; /* not verified: g leads back to the partition panel */
        app_set_status(a, 1, "%s", why);
    } else if (ev->status == ST_OK && d) {
        snprintf(a->detected.aws_account, sizeof a->detected.aws_account, "%s", d->aws_account);
        snprintf(a->detected.aws_arn, sizeof a->detected.aws_arn, "%s", d->aws_arn);
        a->verified = 1;
        app_set_status(a, 0, "GetCallerIdentity: account %s", d->aws_account);
    } else {
        app_set_status(a, 1, "%s", ev->err.message);
    }
    if (d) {
        wiz_detected_free(d);
        free(d);
    }
}

const panel_ops panel_aws_login = {login_enter, login_draw, login_key, login_done,
                                   "Choose where the AWS keys come from; Enter checks them with "
                                   "GetCallerIdentity, Enter again goes on. Typed keys are kept "
                                   "in memory only."};
