/* Panels 8-11: the policy, the role, the connection, and the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "doc/trust.h"
#include "engine/arn.h"
#include "fixback.h"
#include "help.h"
#include "panels.h"
#include "theme.h"
#include "util/buf.h"

/* ---- shared: running the engine in phases ---- */

static void run_phase(app *a, state_step stop_after)
{
    a->nprogress = 0;
    app_start_job(a, wiz_job_connect(a->worker, &a->settings, &a->wz, stop_after));
}

/* Keeps what the engine learnt: the IDs, ARNs and file paths. */
static void phase_done(app *a, const worker_event *ev)
{
    wiz_connect_result *res = ev->result;
    if (res) {
        if (a->have_result)
            wiz_connect_result_free(&a->result);
        a->result = *res;
        a->have_result = 1;
        free(res);
        const connect_result *r = &a->result.r;
        if (r->external_id) {
            snprintf(a->wz.external_id, sizeof a->wz.external_id, "%s", r->external_id);
            app_set_copy(a, COPY_EXTERNAL_ID, r->external_id);
        }
        if (r->role_arn)
            app_set_copy(a, COPY_ROLE_ARN, r->role_arn);
        snprintf(a->state_file, sizeof a->state_file, "%s", r->state_path ? r->state_path : "");
        snprintf(a->log_file, sizeof a->log_file, "%s", r->log_path ? r->log_path : "");
        if (r->spot_account_id && !a->wz.spot_account[0])
            snprintf(a->wz.spot_account, sizeof a->wz.spot_account, "%s", r->spot_account_id);
        if (r->external_id)
            a->wz.rotate_external_id = 0; /* rotated now (or never asked): not again */
        if (r->already_connected)
            a->result.reached = STEP__COUNT; /* nothing left to do: every panel is done */
    }
    a->wz.ran = 1;
    if (ev->status == ST_OK)
        a->read_ahead_problem[0] = '\0'; /* the panel's own reads have answered */
    if (ev->status == ST_OK && a->have_result && a->result.reached >= STEP_POLICY &&
        a->wz.method != CONNECT_MANUAL)
        wiz_policy_made(&a->wz); /* the policy now holds these bundles */
    if (ev->status == ST_OK && a->have_result && a->result.r.already_connected)
        app_set_status(a, 0, "Already connected: nothing was changed.");
    else if (ev->status == ST_OK)
        app_set_status(a, 0, "done");
    else
        app_set_status(a, 1, "%s%s%s", ev->err.code, ev->err.code[0] ? ": " : "", ev->err.message);
}

static int phase_ok(const app *a, state_step step)
{
    /* Bundles changed since the policy was made: the AWS steps run again. */
    if (step < STEP_CREDENTIALS && wiz_bundles_changed(&a->wz))
        return 0;
    return a->have_result && a->result.reached >= step && a->status_error == 0;
}

/* Said where it matters: the policy step runs again. */
static void draw_bundles_changed(app *a, WINDOW *w, ui_rect *r)
{
    if (!wiz_bundles_changed(&a->wz))
        return;
    char line[300];
    snprintf(line, sizeof line,
             a->wz.method == CONNECT_MANUAL
                 ? "The bundles changed since step %d was done: paste this policy again (IAM > "
                   "Policies > Spot-Policy > Edit > JSON), then Save changes."
                 : "The bundles changed since step %d was done: it runs again and makes the new "
                   "policy the default version.",
             wiz_step_number(&a->wz, W_POLICY));
    int used = ui_wrap(w, *r, theme_attr(UI_WARN), line);
    r->y += used + 1;
    r->h -= used + 1;
}

static void load_documents(app *a)
{
    const char *names[] = {"aws", "aws-us-gov", "aws-cn"};
    const char *bundles[WIZ_MAX_BUNDLES];
    connect_options o;
    wiz_connect_options(&a->wz, &o, bundles, WIZ_MAX_BUNDLES);
    policy_options po = {
        .partition = names[a->wz.partition], .bundles = o.bundles, .nbundles = o.nbundles};
    if (a->settings.policy_file[0]) { /* as the connect job builds it (wizard/jobs.c) */
        po.policy_file = a->settings.policy_file;
        po.bundles = NULL;
        po.nbundles = 0;
    }
    char *json = NULL;
    sc_error err;
    policy_parts parts = {0};
    if (policy_build_whole(&po, &json, &err) == ST_OK &&
        policy_split(json, POLICY_MAX_CHARS, &parts, &err) == ST_OK) {
        /* One copy item per managed policy the operator must create. */
        for (size_t i = 0; i < parts.n; i++) {
            char *pretty = policy_pretty(parts.docs[i]);
            free(parts.docs[i]);
            parts.docs[i] = pretty;
        }
        app_set_policy_parts(a, parts.docs, parts.n);
    }
    policy_parts_free(&parts);
    free(json);
    app_set_copy(a, COPY_PRINCIPAL,
                 a->wz.spot_principal[0] ? a->wz.spot_principal : TRUST_SPOT_ACCOUNT_AWS);
    if (a->wz.external_id[0])
        app_set_copy(a, COPY_EXTERNAL_ID, a->wz.external_id);
}

static void draw_steps(app *a, WINDOW *w, ui_rect *r, const char *steps)
{
    pnl_text(a, w, r, steps);
}

/* Said where its answers were to serve; the panel's own run reads again. */
static void draw_read_ahead(app *a, WINDOW *w, ui_rect *r)
{
    if (!a->read_ahead_problem[0] || app_busy(a) || a->nprogress)
        return;
    char line[700];
    snprintf(line, sizeof line, "Checking ahead failed: %s. Enter tries again.",
             a->read_ahead_problem);
    int used = ui_wrap(w, *r, theme_attr(UI_WARN), line);
    r->y += used + 1;
    r->h -= used + 1;
}

static void draw_work(app *a, WINDOW *w, ui_rect r, const char *intro, state_step phase)
{
    pnl_text(a, w, &r, intro);
    draw_read_ahead(a, w, &r);
    if (!a->nprogress && !app_busy(a) && !phase_ok(a, phase)) {
        ui_wrap(w, r, theme_attr(UI_DIM), "Press Enter to start.");
        return;
    }
    ui_rect log = pnl_take(&r, r.h - 1);
    pnl_draw_progress(a, w, log);
    if (phase_ok(a, phase) && !app_busy(a))
        ui_put(w, r.y, r.x, r.w, theme_attr(UI_OK), "Done. Press Enter to go on.");
}

static int work_key(app *a, int key, state_step phase)
{
    if (!pnl_is_enter(key))
        return app_copy_key(a, key) ? PK_USED : PK_UNUSED;
    if (app_busy(a))
        return PK_USED;
    if (phase_ok(a, phase))
        return PK_NEXT;
    run_phase(a, phase);
    return PK_USED;
}

/* ---- 8. Create IAM policy ---- */

static void policy_enter(app *a)
{
    load_documents(a);
    a->copy_focus = COPY_POLICY;
    /* The manual path needs the External ID for the next panel: fetch it now. */
    if (a->wz.method == CONNECT_MANUAL && !a->wz.external_id[0] && !app_busy(a))
        run_phase(a, STEP_EXTERNAL_ID);
    app_read_ahead(a);
}

static void policy_draw(app *a, WINDOW *w, ui_rect r)
{
    draw_bundles_changed(a, w, &r);
    if (a->wz.method == CONNECT_MANUAL) {
        buf_t steps = BUF_INIT;
        help_policy_steps(a, &steps);
        draw_steps(a, w, &r, buf_str(&steps));
        buf_free(&steps);
        app_draw_copy(a, w, r);
        return;
    }
    char intro[800], what[400];
    const char *pname = a->wz.policy_name[0] ? a->wz.policy_name : CONNECT_DEFAULT_POLICY;
    if (a->npolicy_parts > 1)
        snprintf(what, sizeof what,
                 "the %zu managed policies %s ... %s-%zu (the policy is over IAM's 6,144 "
                 "characters, so it is split)",
                 a->npolicy_parts, pname, pname, a->npolicy_parts);
    else
        snprintf(what, sizeof what, "the managed policy %s (%zu characters)", pname,
                 a->copy_text[COPY_POLICY] ? policy_size(a->copy_text[0]) : 0);
    snprintf(intro, sizeof intro,
             "%s %s in account %s. o sets the names, a permissions boundary, an IAM path and "
             "tags.",
             a->wz.method == CONNECT_CONSOLE
                 ? "spot-connect will create" /* the console has the Spot side */
                 : "spot-connect will link the Spot account, get the External ID from Spot "
                   "(once; it is saved), and create",
             what, a->detected.aws_account[0] ? a->detected.aws_account : "(your account)");
    draw_work(a, w, r, intro, STEP_POLICY);
}

static int policy_key(app *a, int key)
{
    if (a->wz.method == CONNECT_MANUAL) {
        if (pnl_is_enter(key) && !a->wz.external_id[0]) {
            if (app_busy(a))
                app_set_status(a, 1, "waiting for Spot's External ID");
            else
                run_phase(a, STEP_EXTERNAL_ID); /* the fetch failed: again */
            return PK_USED;
        }
        return app_copy_key(a, key) ? PK_USED : PK_UNUSED;
    }
    return work_key(a, key, STEP_POLICY);
}

static void policy_done(app *a, const worker_event *ev)
{
    char said[sizeof a->status];
    snprintf(said, sizeof said, "%s", a->status_error ? " " : a->status);
    phase_done(a, ev);
    if (a->wz.method != CONNECT_MANUAL || ev->status != ST_OK)
        return;
    /* The fetch ran behind the copy pane: keep what a key (c) said meanwhile. */
    if (strcmp(said, " ") != 0)
        app_set_status(a, 0, "%s", said);
    else
        app_set_status(a, 0, "Spot's External ID is ready (item %d).",
                       app_copy_number(a, COPY_EXTERNAL_ID));
}

const panel_ops panel_policy = {policy_enter, policy_draw, policy_key, policy_done,
                                "Manual: paste the policy into the AWS console. Automatic: "
                                "Enter creates it (or updates it to a new version)."};

/* ---- 9. Create IAM role ---- */

static void role_enter(app *a)
{
    if (a->wz.method == CONNECT_MANUAL)
        wiz_policy_made(&a->wz); /* past the policy panel: pasted with these bundles */
    load_documents(a);
    a->copy_focus = COPY_EXTERNAL_ID;
    app_read_ahead(a);
}

static void role_draw(app *a, WINDOW *w, ui_rect r)
{
    if (a->wz.method != CONNECT_MANUAL) {
        char intro[400];
        snprintf(intro, sizeof intro,
                 "spot-connect will create the role %s, trusting Spot's AWS account with the "
                 "External ID, and attach %s and SecurityAudit.",
                 a->wz.role_name[0] ? a->wz.role_name : CONNECT_DEFAULT_ROLE,
                 a->wz.policy_name[0] ? a->wz.policy_name : CONNECT_DEFAULT_POLICY);
        draw_work(a, w, r, intro, STEP_ATTACHED);
        return;
    }
    buf_t steps = BUF_INIT;
    help_role_steps(a, &steps);
    draw_steps(a, w, &r, buf_str(&steps));
    buf_free(&steps);
    app_draw_copy(a, w, r);
}

static int role_key(app *a, int key)
{
    if (a->wz.method == CONNECT_MANUAL)
        return app_copy_key(a, key) ? PK_USED : PK_UNUSED;
    return work_key(a, key, STEP_ATTACHED);
}

const panel_ops panel_role = {role_enter, role_draw, role_key, phase_done,
                              "The role Spot assumes: it trusts Spot's AWS account only with "
                              "the External ID Spot generated for this account."};

/* ---- 10. Connect ---- */

static void connect_enter(app *a)
{
    pnl_field_set(a, 0, a->wz.role_arn, 0);
    a->copy_focus = COPY_ROLE_ARN;
    fixback_clear(a);
    app_read_ahead(a);
}

/* The ARN as typed so far: "" when acceptable, else why not. */
static void arn_verdict(app *a, char *why, size_t len)
{
    role_arn r;
    sc_error err;
    const char *names[] = {"aws", "aws-us-gov", "aws-cn"};
    const char *acct = a->detected.aws_ok ? a->detected.aws_account : NULL;
    why[0] = '\0';
    if (wiz_partition_mismatch(&a->wz, a->field[0].text, WIZ_ARN_ROLE, why, len))
        return;
    if (arn_parse_role(a->field[0].text, names[a->wz.partition], acct, &r, &err) != ST_OK)
        snprintf(why, len, "%s", err.message);
}

/* Enter on a role of another partition: back to the answer that disagrees. */
static int partition_back(app *a)
{
    char why[400];
    if (!wiz_partition_mismatch(&a->wz, a->field[0].text, WIZ_ARN_ROLE, why, sizeof why))
        return 0;
    snprintf(a->wz.role_arn, sizeof a->wz.role_arn, "%s", a->field[0].text);
    app_goto(a, W_PARTITION);
    app_set_status(a, 0, "Answer again; the role ARN is kept for the Connect step.");
    return 1;
}

static void connect_draw_manual(app *a, WINDOW *w, ui_rect r)
{
    pnl_text(a, w, &r, "Paste the ARN of the role you created (Spot-Role):");
    textfield_draw(&a->field[0], w, pnl_take(&r, 1), 1);
    char why[600];
    arn_verdict(a, why, sizeof why);
    ui_wrap(w, pnl_take(&r, 3), theme_attr(why[0] ? UI_ERROR : UI_OK),
            why[0] ? why : "This is a role ARN of your account. Enter hands it to Spot.");
    fixback_draw(a, w, &r);
    pnl_draw_progress(a, w, r);
}

static void connect_draw(app *a, WINDOW *w, ui_rect r)
{
    if (a->wz.method == CONNECT_CONSOLE) {
        pnl_text(a, w, &r,
                 "The role is ready. In the Spot console, paste this role ARN into the last step "
                 "and press Connect (c copies it, p prints it).");
        app_draw_copy(a, w, r);
        return;
    }
    if (a->have_result && a->result.r.connected && !app_busy(a)) {
        ui_wrap(w, r, theme_attr(UI_OK),
                a->result.r.already_connected
                    ? "Already connected: Spot uses the role, which trusts Spot with this "
                      "External ID. Nothing was changed. Enter goes on."
                    : "Connected: Spot accepted the role. Enter goes on.");
        return;
    }
    if (a->wz.method == CONNECT_MANUAL) {
        connect_draw_manual(a, w, r);
        return;
    }
    draw_work(a, w, r,
              "spot-connect hands the role to Spot. A new role takes a few seconds to reach "
              "every AWS region: Spot is asked again every second until it can use it.",
              STEP__COUNT);
}

static int connect_key(app *a, int key)
{
    if (a->wz.method == CONNECT_CONSOLE)
        return pnl_is_enter(key) ? PK_NEXT : app_copy_key(a, key) ? PK_USED : PK_UNUSED;
    if (a->have_result && a->result.r.connected && pnl_is_enter(key) && !app_busy(a))
        return PK_NEXT;
    if (a->wz.method != CONNECT_MANUAL)
        return work_key(a, key, STEP__COUNT);
    if (fixback_key(a, key))
        return PK_USED;
    if (!pnl_is_enter(key))
        return textfield_key(&a->field[0], key) ? PK_USED : PK_UNUSED;
    textfield_trim(&a->field[0]);
    if (!app_busy(a) && partition_back(a))
        return PK_USED;
    char why[600];
    arn_verdict(a, why, sizeof why);
    if (why[0] || app_busy(a))
        return PK_USED;
    snprintf(a->wz.role_arn, sizeof a->wz.role_arn, "%s", a->field[0].text);
    run_phase(a, 0);
    return PK_USED;
}

static void connect_done(app *a, const worker_event *ev)
{
    phase_done(a, ev);
    a->result.reached = STEP__COUNT;
    fixback_note(a, &ev->err);
}

const panel_ops panel_connect = {connect_enter, connect_draw, connect_key, connect_done,
                                 "Spot checks the role by assuming it. Right after the role is "
                                 "created IAM may need seconds to propagate: the wait is shown."};

/* ---- 11. Done ---- */

static void done_enter(app *a)
{
    (void)a;
}

/* With no run in this session (resumed at the end), the saved state says. */
static const char *done_value(int ran, const char *now, const char *saved)
{
    const char *v = ran ? now : saved;
    return v && v[0] ? v : "-";
}

/* The console page's "What's next", after the ARN is pasted on the console
 * path (Spot has no role until then). */
static void done_next(buf_t *b, int console)
{
    if (console)
        buf_puts(b, "First: in the Spot console, paste the Role ARN above into the last step of "
                    "Connect AWS Account and press Connect.\n\n");
    buf_puts(b, "What's next, in the Spot console https://console.spotinst.com/ :\n"
                "- Overview > Dashboard: Insights & Recommendations for this account\n"
                "- the Savings Potential analysis: what this account could save\n"
                "  (https://docs.spot.io/connect-your-cloud-provider/dashboard)\n"
                "'spot-connect status' shows the connection; 'spot-connect disconnect' removes "
                "what spot-connect created. Press q to leave.");
}

static void done_draw(app *a, WINDOW *w, ui_rect r)
{
    const connect_result *res = a->have_result ? &a->result.r : NULL;
    const wiz_detected *d = &a->detected;
    int connected = res ? res->connected : d->saved_connected;
    buf_t text = BUF_INIT;
    buf_printf(&text,
               "%s\n\nSpot account: %s\nExternal ID:  %s\nRole ARN:     %s\n\nState file: %s\n"
               "Call log:   %s\n\n",
               res && res->already_connected
                   ? "The AWS account was already connected to Spot: nothing was changed."
               : connected ? "The AWS account is connected to Spot."
                           : "The AWS side is ready; finish in the Spot console.",
               done_value(res != NULL, res ? res->spot_account_id : NULL, d->saved_spot_account),
               a->wz.external_id[0] ? a->wz.external_id : "-",
               done_value(res != NULL, res ? res->role_arn : NULL, d->saved_role_arn),
               a->state_file[0] ? a->state_file : "-", a->log_file[0] ? a->log_file : "-");
    done_next(&text, !connected && a->wz.method == CONNECT_CONSOLE);
    ui_wrap(w, r, theme_attr(UI_NORMAL), buf_str(&text));
    buf_free(&text);
}

static int done_key(app *a, int key)
{
    if (pnl_is_enter(key) || key == 'q') {
        a->quit = 1;
        return PK_USED;
    }
    return PK_UNUSED;
}

const panel_ops panel_done = {done_enter, done_draw, done_key, pnl_no_done,
                              "A summary of the connection. q or Enter leaves."};
