/* The Spot side of a connection: the Spot account, the External ID, and
 * handing the role to Spot while IAM propagates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/trust.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/retry.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define PLANNED_ACCOUNT "act-(to be created)"
#define UNCHANGED_WINDOW 15.0

static void use_account(engine *e, const char *id, const char *name, const char *why)
{
    state_set(&e->st.spot_account.arn, id);
    if (name)
        state_set(&e->st.spot_account.name, name);
    eng_progress(e, "Spot account %s%s%s%s", id, name ? " (" : "", name ? name : "",
                 name ? ")" : "");
    eng_progress(e, "  %s", why);
}

/* The first account listed, or with a name: the first unconnected one of
 * that name (names are not unique in Spot). */
static const spot_account *pick(const spot_accounts *as, const char *name)
{
    for (size_t i = 0; as->items && i < as->n; i++) {
        const spot_account *a = &as->items[i];
        if (!name)
            return a;
        if (a->name && strcmp(a->name, name) == 0 && !a->provider_external_id)
            return a;
    }
    return NULL;
}

/* The account Spot links to this AWS account (providerExternalId is the AWS
 * account it is connected to). */
static const spot_account *linked_to(const spot_accounts *as, const char *aws_account)
{
    for (size_t i = 0; i < as->n; i++) {
        const char *x = as->items[i].provider_external_id;
        if (x && strcmp(x, aws_account) == 0)
            return &as->items[i];
    }
    return NULL;
}

/* The organization's accounts, in one call: the link to this AWS account
 * and the unconnected accounts of a name are both in it. A token that may
 * not list them all (not an organization admin) still finds the link with
 * cloudAccountId. */
static status_t list_accounts(engine *e, spot_accounts *as, int *filtered, sc_error *err)
{
    *filtered = 0;
    status_t st = answers_spot_accounts(e->ans, e->spot, NULL, as, err);
    if (st != ST_SPOT || err->http_status != 403)
        return st;
    sc_error first = *err;
    st = answers_spot_accounts(e->ans, e->spot, e->caller_account, as, err);
    if (st == ST_OK && as->n == 0) {
        spot_accounts_free(as);
        *err = first; /* no link, and the names could not be read */
        return first.status;
    }
    *filtered = st == ST_OK;
    return st;
}

/* The account linked to this AWS account, or else an unconnected one with
 * the wanted name. */
static status_t find_account(engine *e, const char *name, int *found, sc_error *err)
{
    spot_accounts as;
    int filtered;
    *found = 0;
    status_t st = list_accounts(e, &as, &filtered, err);
    if (st != ST_OK)
        return st;
    const spot_account *a = filtered ? pick(&as, NULL) : linked_to(&as, e->caller_account);
    if (a) {
        use_account(e, a->id, a->name, "already linked to this AWS account: reusing it");
        e->linked = 1;
    } else if ((a = pick(&as, name))) {
        use_account(e, a->id, a->name, "an unconnected account of that name: reusing it");
    }
    *found = a != NULL;
    spot_accounts_free(&as);
    return ST_OK;
}

static status_t create_account(engine *e, const char *name, sc_error *err)
{
    if (e->o->update)
        return error_set(err, ST_BAD_INPUT,
                         "update never creates a Spot account, and the state names none: run "
                         "'spot-connect connect'");
    char *body = json_nested_pair("account", "name", name);
    int planned = eng_plan(e, "spot", "POST /setup/account", body);
    free(body);
    if (planned) {
        state_set(&e->st.spot_account.arn, PLANNED_ACCOUNT);
        return ST_OK;
    }
    state_set(&e->st.spot_account.name, name);
    e->st.spot_account.pending = 1;
    status_t st = eng_save(e, err);
    spot_account a;
    if (st == ST_OK)
        st = spot_create_account(e->spot, name, &a, err);
    if (st != ST_OK)
        return st;
    e->st.spot_account.created = 1;
    e->st.spot_account.pending = 0;
    answers_spot_changed(e->ans);
    use_account(e, a.id, a.name, "created");
    spot_account_free(&a);
    return ST_OK;
}

static char *default_account_name(const engine *e)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "aws-%s", e->caller_account);
    return buf_steal(&b);
}

/* An account given by ID may be the one Spot links to this AWS account
 * already: its External ID is then adopted, never replaced unasked. */
static status_t given_account(engine *e, const char *want, sc_error *err)
{
    state_item_clear(&e->st.spot_account);
    spot_accounts as;
    if (e->caller_account[0]) {
        status_t st = answers_spot_accounts(e->ans, e->spot, e->caller_account, &as, err);
        if (st != ST_OK)
            return st;
        for (size_t i = 0; i < as.n; i++)
            e->linked |= as.items[i].id && strcmp(as.items[i].id, want) == 0;
        spot_accounts_free(&as);
    }
    use_account(e, want, NULL,
                e->linked ? "as given with --spot-account; already linked to this AWS account"
                          : "as given with --spot-account");
    return eng_reach(e, STEP_SPOT_ACCOUNT, err);
}

status_t eng_spot_account(engine *e, sc_error *err)
{
    const char *want = e->o->spot_account;
    const char *saved = e->st.spot_account.arn;
    if (saved && (!want || strcmp(want, saved) == 0)) {
        eng_progress(e, "Spot account %s (from the saved state)", saved);
        return eng_reach(e, STEP_SPOT_ACCOUNT, err);
    }
    if (want)
        return given_account(e, want, err);
    char *name =
        e->o->spot_account_name ? xstrdup(e->o->spot_account_name) : default_account_name(e);
    int found;
    status_t st = find_account(e, name, &found, err);
    if (st == ST_OK && found)
        eng_claim_pending(&e->st.spot_account);
    else if (st == ST_OK)
        st = create_account(e, name, err);
    free(name);
    return st == ST_OK ? eng_reach(e, STEP_SPOT_ACCOUNT, err) : st;
}

/* ---- External ID ---- */

static status_t console_external_id(engine *e, sc_error *err)
{
    const char *given = e->o->external_id;
    if (!given)
        return error_set(err, ST_MISSING_ANSWER,
                         "the console method needs --external-id (the Spot console shows it in "
                         "the role step)");
    char *probe = NULL;
    status_t st = trust_policy_build(e->part->name, TRUST_SPOT_ACCOUNT_AWS, given, &probe, err);
    free(probe);
    if (st != ST_OK)
        return st;
    if (e->st.external_id && strcmp(e->st.external_id, given) != 0)
        eng_progress(e, "the External ID differs from the saved one: using the new one");
    state_set(&e->st.external_id, given);
    return eng_reach(e, STEP_EXTERNAL_ID, err);
}

/* The External ID Spot just generated could not be saved: a new one would
 * replace it, so the operator gets it and the way to resume with it. */
static status_t unsaved_external_id(engine *e, const char *id, sc_error *err)
{
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return error_set(err, ST_IO,
                     "%s; Spot generated External ID %s, which is not saved: fix that, then run "
                     "again with --spot-account %s --external-id %s (generating another would "
                     "replace it)",
                     why, id, e->st.spot_account.arn, id);
}

/* Spot's maxValidUntil has passed for the saved ID, and the role was not
 * handed over yet: Spot would refuse a role trusting it. */
static int saved_id_expired(const engine *e)
{
    time_t until;
    const char *text = e->st.external_id_valid_until;
    return text && e->st.step < STEP_CREDENTIALS && time_parse_iso8601(text, &until) == 0 &&
           until < time(NULL);
}

/* 1 when a saved or adopted External ID is to be used as it is. */
static int keep_known_id(engine *e)
{
    if (!e->st.external_id)
        return 0;
    if (e->o->rotate_external_id) {
        eng_progress(e,
                     "replacing External ID %s as asked (--rotate-external-id): the "
                     "role's trust is updated before Spot gets the role",
                     e->st.external_id);
        return 0;
    }
    if (saved_id_expired(e)) {
        eng_progress(e,
                     "the saved External ID %s expired at %s (Spot's maxValidUntil) before "
                     "the role was handed over: asking Spot for a new one",
                     e->st.external_id, e->st.external_id_valid_until);
        return 0;
    }
    return 1;
}

status_t eng_external_id(engine *e, sc_error *err)
{
    if (e->o->method == CONNECT_CONSOLE)
        return console_external_id(e, err);
    if (!e->st.external_id && !e->o->external_id && e->linked) {
        status_t st = eng_adopt(e, err);
        if (st != ST_OK || e->already_connected)
            return st;
    }
    if (keep_known_id(e)) {
        eng_progress(e, "External ID %s (saved; never generated twice)", e->st.external_id);
        return eng_reach(e, STEP_EXTERNAL_ID, err);
    }
    if (e->o->external_id && !e->o->rotate_external_id) /* kept from a run whose save failed */
        return console_external_id(e, err);
    if (e->o->update)
        return error_set(err, ST_BAD_INPUT,
                         "update never generates an External ID, and the state has no usable one: "
                         "run 'spot-connect connect'");
    buf_t call = BUF_INIT;
    buf_printf(&call, "POST /setup/credentials/aws/externalId?accountId=%s",
               e->st.spot_account.arn);
    int planned = eng_plan(e, "spot", buf_str(&call), NULL);
    buf_free(&call);
    if (planned)
        return ST_OK;
    char *id = NULL, *until = NULL;
    status_t st =
        spot_generate_external_id_until(e->spot, e->st.spot_account.arn, &id, &until, err);
    if (st != ST_OK)
        return st;
    state_set(&e->st.external_id, id);
    state_set(&e->st.external_id_valid_until, until);
    free(until);
    /* eng_reach saves first: cancel and pause come only after a good save. */
    st = eng_reach(e, STEP_EXTERNAL_ID, err);
    if (st == ST_OK || st == ST_CANCELLED || st == ST_PAUSED)
        eng_progress(e, "External ID %s generated by Spot (saved before any AWS change)", id);
    else
        st = unsaved_external_id(e, id, err);
    free(id);
    return st;
}

/* ---- credentials ---- */

/* Spot assumes the role at once; a new role takes seconds to propagate.
 * Poll every second while propagation is usual (IAM: 2-30 s), so the
 * connection completes within about a second of it; then back off towards
 * 5 s so a long wait does not hammer the API. */
static double propagation_delay(int attempt, double elapsed)
{
    if (elapsed < 45.0)
        return 1.0;
    double d = 1.0;
    for (int i = 1; i < attempt && d < 5.0; i++)
        d *= 2;
    return d < 5.0 ? d : 5.0;
}

static int propagation_error(const sc_error *err)
{
    return err->status == ST_SPOT && err->http_status == 400;
}

static status_t give_up(engine *e, double waited, sc_error *err)
{
    char why[sizeof err->message];
    snprintf(why, sizeof why, "%s", err->message);
    return error_set(err, ST_SPOT,
                     "Spot could not use role %s after %.0f s: %s (IAM may still be "
                     "propagating: run again to keep waiting, or raise --wait)",
                     e->role_arn, waited, why);
}

static status_t plan_credentials(engine *e)
{
    buf_t call = BUF_INIT;
    buf_printf(&call, "POST /setup/credentials/aws?accountId=%s", e->st.spot_account.arn);
    char *body = json_nested_pair("credentials", "iamRole", e->role_arn);
    eng_plan(e, "spot", buf_str(&call), body);
    buf_free(&call);
    free(body);
    return ST_OK;
}

/* How long a refusal may be IAM propagating: the whole --wait after a change
 * to the role (ours, or one made by hand for the manual method); otherwise a
 * refusal is most likely final, so only briefly. */
static double propagation_window(const engine *e)
{
    int fresh_role = e->aws_changed || e->o->method == CONNECT_MANUAL;
    double w = e->o->wait_seconds;
    return fresh_role || w < UNCHANGED_WINDOW ? w : UNCHANGED_WINDOW;
}

/* Spot's 5xx, throttling and connection failures: everything before this
 * step is done, so they are waited out until the --wait deadline. */
static int transient_error(const sc_error *err)
{
    switch (err->status) {
    case ST_NET_CONNECT:
    case ST_NET_IO:
    case ST_TIMEOUT:
        return 1;
    case ST_SPOT:
        return err->http_status == 429 || err->http_status >= 500;
    default:
        return 0;
    }
}

static status_t accepted(engine *e, double elapsed, sc_error *err)
{
    eng_progress(e, "Spot accepted role %s after %.1f s", e->role_arn, elapsed);
    /* Only now: a role Spot refused never replaces the one it uses. */
    state_set(&e->st.role.arn, e->role_arn);
    answers_spot_changed(e->ans);
    return eng_reach(e, STEP_CREDENTIALS, err);
}

/* One failed attempt: ST_OK to try again (after the pause), else the status
 * to return. */
static status_t after_failure(engine *e, int attempt, double start, sc_error *err)
{
    double elapsed = time_monotonic() - start;
    if (transient_error(err)) {
        retry_policy p = retry_spot;
        p.max_attempts = 0;
        p.deadline = start + e->o->wait_seconds;
        if (attempt == 1)
            eng_progress(e,
                         "Spot is not answering as it should (%s): trying again until the "
                         "--wait deadline",
                         err->message);
        retry_verdict v = retry_wait(&p, attempt, 0, e->o->cancel);
        if (v == RETRY_CANCELLED)
            return eng_check_cancel(e, err) != ST_OK ? err->status : ST_CANCELLED;
        return v == RETRY_AGAIN ? ST_OK : err->status;
    }
    double window = propagation_window(e);
    if (!propagation_error(err))
        return err->status;
    if (elapsed >= window)
        return give_up(e, elapsed, err);
    if (attempt == 1)
        eng_progress(e, "waiting for IAM to propagate (Spot says: %s)", err->message);
    double d = propagation_delay(attempt, elapsed);
    if (elapsed + d > window)
        d = window - elapsed;
    retry_pause(d, e->o->cancel);
    return eng_check_cancel(e, err) != ST_OK ? err->status : ST_OK;
}

status_t eng_set_credentials(engine *e, sc_error *err)
{
    if (e->o->dry_run)
        return plan_credentials(e);
    double start = time_monotonic();
    for (int attempt = 1;; attempt++) {
        status_t st = spot_set_credentials(e->spot, e->st.spot_account.arn, e->role_arn, err);
        if (st == ST_OK)
            return accepted(e, time_monotonic() - start, err);
        st = after_failure(e, attempt, start, err);
        if (st != ST_OK)
            return st;
    }
}

status_t eng_verify(engine *e, sc_error *err)
{
    if (e->o->dry_run)
        return ST_OK;
    char *role = NULL;
    status_t st = spot_read_credentials(e->spot, e->st.spot_account.arn, &role, err);
    if (st != ST_OK)
        return st;
    int same = role && strcmp(role, e->role_arn) == 0;
    if (!same)
        st = error_set(err, ST_SPOT, "Spot reports role %s for %s, expected %s",
                       role ? role : "(none)", e->st.spot_account.arn, e->role_arn);
    free(role);
    if (st != ST_OK)
        return st;
    e->st.connected = 1;
    eng_progress(e, "connected: Spot account %s uses role %s", e->st.spot_account.arn, e->role_arn);
    return eng_reach(e, STEP_VERIFIED, err);
}

status_t eng_spot_in_line(engine *e, int *in_line, sc_error *err)
{
    *in_line = 0;
    char *role = NULL;
    status_t st = spot_read_credentials(e->spot, e->st.spot_account.arn, &role, err);
    if (st != ST_OK)
        return st;
    *in_line = role && e->role_arn && strcmp(role, e->role_arn) == 0;
    if (!*in_line)
        eng_progress(e, "Spot account %s uses %s, not role %s: handing the role to Spot again",
                     e->st.spot_account.arn, role ? role : "no role", e->role_arn);
    free(role);
    e->spot_rehanded = !*in_line;
    if (!*in_line)
        return ST_OK;
    e->st.connected = 1;
    eng_progress(e, "Spot account %s uses role %s: nothing to change on the Spot side",
                 e->st.spot_account.arn, e->role_arn);
    return e->o->dry_run ? ST_OK : eng_reach(e, STEP_VERIFIED, err);
}
