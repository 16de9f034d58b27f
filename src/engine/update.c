/* update: connect's engine run again with the saved answers, between two
 * drift checks that say what it changed. */
#include "engine/update.h"

#include <stdlib.h>
#include <string.h>

#include "engine/state.h"
#include "util/xalloc.h"

static status_t refuse(const conn_state *st, int spot_side, sc_error *err)
{
    if (!st->aws_account_id)
        return error_set(err, ST_BAD_INPUT,
                         "no connection recorded in %s (run 'spot-connect connect' first)",
                         st->path);
    if (st->method && strcmp(st->method, "manual") == 0)
        return error_set(err, ST_BAD_INPUT,
                         "the role %s of this manual connection was made by hand: update changes "
                         "only what spot-connect made; 'spot-connect status' says what differs "
                         "(roleHealth) and how to fix it",
                         st->role.arn ? st->role.arn : "(unknown)");
    if (!st->method || !st->role.name || !st->policy.name || !st->external_id ||
        st->step < (spot_side ? STEP_CREDENTIALS : STEP_ATTACHED))
        return error_set(err, ST_BAD_INPUT,
                         "the connection in %s is not complete: run 'spot-connect connect'",
                         st->path);
    if (spot_side && !st->spot_account.arn)
        return error_set(err, ST_BAD_INPUT,
                         "the state %s names no Spot account: run "
                         "'spot-connect connect'",
                         st->path);
    return ST_OK;
}

/* The options connect was run with, as the state saved them. */
static void saved_options(const conn_state *st, const char *path, int dry_run, atomic_int *cancel,
                          connect_options *o)
{
    int console = st->method && strcmp(st->method, "console") == 0;
    *o = (connect_options){
        .method = console ? CONNECT_CONSOLE : CONNECT_AUTOMATIC,
        .external_id = console ? st->external_id : NULL,
        .spot_account = console ? NULL : st->spot_account.arn,
        .role_name = st->role.name,
        .policy_name = st->policy.name,
        .partition = st->partition,
        .spot_principal = st->spot_principal,
        .bundles = (const char *const *)st->bundles,
        .nbundles = st->nbundles,
        .policy_file = st->policy_file,
        .permissions_boundary = st->boundary,
        .tags = st->tags,
        .ntags = st->ntags,
        .security_audit = st->security_audit_attached,
        .wait_seconds = CONNECT_DEFAULT_WAIT,
        .dry_run = dry_run,
        .state_path = path,
        .cancel = cancel,
        .same_run = 1,
        .update = 1,
    };
}

static void add_line(update_report *r, const char *line)
{
    r->changed = xrealloc(r->changed, (r->nchanged + 1) * sizeof *r->changed);
    r->changed[r->nchanged++] = xstrdup(line);
}

/* Every item that differed before and is in line now. */
static void note_changes(update_report *r, const drift_report *before)
{
    for (size_t i = 0; i < before->n; i++) {
        const drift_item *b = &before->items[i];
        if (b->verdict != DRIFT_DIFFERS)
            continue;
        int still = 0;
        for (size_t k = 0; k < r->after.n; k++) {
            const drift_item *a = &r->after.items[k];
            still |= a->verdict == DRIFT_DIFFERS && strcmp(a->kind, b->kind) == 0 &&
                     strcmp(a->name, b->name) == 0;
        }
        if (!still) {
            char *line = drift_item_line(b);
            add_line(r, line);
            free(line);
        }
    }
}

/* The state loaded and checked: connect's steps between two drift checks. */
static status_t run_saved(const conn_state *st, const char *path, int dry_run, atomic_int *cancel,
                          const connect_hooks *h, aws_session *aws, spot_client *spot, journal *j,
                          update_report *out, sc_error *err)
{
    drift_report before = {0};
    status_t s = drift_check(aws->client, st, &before, err);
    connect_options o;
    connect_result res = {0};
    if (s == ST_OK) {
        saved_options(st, path, dry_run, cancel, &o);
        s = connect_run(&o, h, aws, spot, j, &res, err);
    }
    if (s == ST_OK && res.spot_rehanded && !dry_run)
        add_line(out, "spot: the role was handed to Spot again (Spot did not use it)");
    connect_result_free(&res);
    if (s == ST_OK && dry_run) {
        out->after = before; /* nothing was changed */
        return ST_OK;
    }
    conn_state now = {0};
    if (s == ST_OK)
        s = state_load(path, &now, err);
    if (s == ST_OK)
        s = drift_check(aws->client, &now, &out->after, err);
    if (s == ST_OK)
        note_changes(out, &before);
    state_free(&now);
    drift_report_free(&before);
    return s;
}

status_t update_run(const char *path, int dry_run, atomic_int *cancel, const connect_hooks *h,
                    aws_session *aws, spot_client *spot, journal *j, update_report *out,
                    sc_error *err)
{
    memset(out, 0, sizeof *out);
    out->state_path = xstrdup(path);
    conn_state st;
    status_t s = state_load(path, &st, err);
    if (s != ST_OK) {
        state_free(&st);
        return s;
    }
    int console = st.method && strcmp(st.method, "console") == 0;
    s = refuse(&st, !console, err);
    if (s == ST_OK && !aws)
        s = error_set(err, ST_MISSING_ANSWER, "update needs AWS credentials to read and write IAM");
    if (s == ST_OK && !console && !spot)
        s = error_set(err, ST_MISSING_ANSWER,
                      "update needs the Spot token (to check which role Spot uses)");
    if (s == ST_OK && aws)
        s = run_saved(&st, path, dry_run, cancel, h, aws, console ? NULL : spot, j, out, err);
    state_free(&st);
    return s;
}

void update_report_free(update_report *r)
{
    for (size_t i = 0; i < r->nchanged; i++)
        free(r->changed[i]);
    free(r->changed);
    drift_report_free(&r->after);
    free(r->state_path);
    memset(r, 0, sizeof *r);
}
