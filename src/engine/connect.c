#include "engine/connect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/sts.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "doc/trust.h"
#include "engine/arn.h"
#include "engine/engine.h"
#include "engine/preflight.h"
#include "util/buf.h"
#include "util/xalloc.h"

static const char *const method_names[] = {"automatic", "manual", "console"};

/* ---- identity and partition ---- */

static status_t pick_partition(engine *e, const char *from_creds, sc_error *err)
{
    const partition_info *want = e->o->partition ? partition_by_name(e->o->partition) : NULL;
    if (e->o->partition && !want)
        return error_set(err, ST_BAD_INPUT, "unknown partition '%s' (aws, aws-us-gov or aws-cn)",
                         e->o->partition);
    const partition_info *have = from_creds ? partition_by_name(from_creds) : NULL;
    if (want && have && want != have)
        return error_set(err, ST_BAD_INPUT,
                         "--partition %s, but the AWS credentials are for partition %s", want->name,
                         have->name);
    e->part = want ? want : have ? have : partition_default();
    return ST_OK;
}

static status_t caller_identity(engine *e, sc_error *err)
{
    sts_identity id;
    status_t st = answers_identity(e->ans, e->aws, &id, err);
    if (st != ST_OK) {
        error_prefix(err, "reading the AWS identity");
        return st;
    }
    const partition_info *p = partition_for_arn(id.arn);
    snprintf(e->caller_account, sizeof e->caller_account, "%s", id.account);
    eng_progress(e, "AWS account %s, as %s", id.account, id.arn);
    st = pick_partition(e, p ? p->name : NULL, err);
    sts_identity_free(&id);
    return st;
}

/* The manual path's role ARN, checked against what is known already. */
static status_t check_role_arn(engine *e, sc_error *err)
{
    role_arn r;
    const char *acct = e->caller_account[0] ? e->caller_account : NULL;
    /* The partition is known from --partition or from the credentials. */
    const char *part = e->o->partition || acct ? e->part->name : NULL;
    status_t st = arn_parse_role(e->o->role_arn, part, acct, &r, err);
    if (st != ST_OK)
        return st;
    if (!acct)
        snprintf(e->caller_account, sizeof e->caller_account, "%s", r.account);
    const partition_info *p = partition_by_name(r.partition); /* arn_parse_role checked it */
    if (!e->o->partition && p)
        e->part = p;
    return ST_OK;
}

static status_t eng_identity(engine *e, sc_error *err)
{
    status_t st = e->aws ? caller_identity(e, err) : pick_partition(e, NULL, err);
    if (st == ST_OK && e->o->method == CONNECT_MANUAL && e->o->role_arn)
        st = check_role_arn(e, err);
    if (st == ST_OK && !e->caller_account[0])
        st = error_set(err, ST_MISSING_ANSWER,
                       "without AWS credentials the manual method needs --role-arn, or --state "
                       "FILE to keep track of the connection");
    return st;
}

/* ---- state and log ---- */

/* Kept absolute, so status and update build the same policy from any
 * directory; "no policy file" is kept too. */
static void save_policy_file(engine *e)
{
    if (e->o->method == CONNECT_MANUAL)
        return;
    char *abs = e->o->policy_file ? realpath(e->o->policy_file, NULL) : NULL;
    state_set(&e->st.policy_file, abs ? abs : e->o->policy_file);
    free(abs);
}

static status_t open_state(engine *e, sc_error *err)
{
    char *path =
        e->o->state_path ? xstrdup(e->o->state_path) : state_default_path(e->caller_account);
    status_t st = e->o->fresh ? ST_OK : state_load(path, &e->st, err);
    if (e->o->fresh) {
        memset(&e->st, 0, sizeof e->st);
        e->st.path = xstrdup(path);
    }
    free(path);
    if (st != ST_OK)
        return st;
    if (e->st.aws_account_id && strcmp(e->st.aws_account_id, e->caller_account) != 0)
        return error_set(err, ST_BAD_INPUT,
                         "state file %s belongs to AWS account %s, not %s (use --state or --fresh)",
                         e->st.path, e->st.aws_account_id, e->caller_account);
    state_set(&e->st.aws_account_id, e->caller_account);
    state_set(&e->st.partition, e->part->name);
    state_set(&e->st.method, method_names[e->o->method]);
    /* What a resumed wizard must ask again is only what is never saved. */
    if (e->o->spot_principal)
        state_set(&e->st.spot_principal, e->o->spot_principal);
    if (!e->o->policy_file)
        state_set_bundles(&e->st, e->o->bundles, e->o->nbundles);
    save_policy_file(e);
    if (e->st.external_id && !e->o->same_run)
        eng_progress(e, "resuming from %s (step %s)", e->st.path, state_step_name(e->st.step));
    return ST_OK;
}

static status_t open_log(engine *e, sc_error *err)
{
    if (e->o->dry_run)
        return ST_OK;
    buf_t b = BUF_INIT;
    if (e->o->log_path) {
        buf_puts(&b, e->o->log_path);
    } else {
        const char *dot = strrchr(e->st.path, '.');
        size_t stem =
            dot && strchr(dot, '/') == NULL ? (size_t)(dot - e->st.path) : strlen(e->st.path);
        buf_append(&b, e->st.path, stem);
        buf_puts(&b, ".log");
    }
    status_t st = state_save(&e->st, err); /* creates the directory too */
    if (st == ST_OK)
        st = journal_open(e->j, buf_str(&b), err);
    buf_free(&b);
    return st;
}

/* ---- documents ---- */

/* IAM's limit for a policy name, which the parts' "-N" must respect. */
#define POLICY_NAME_MAX 128

static status_t split_policy(engine *e, sc_error *err)
{
    policy_parts_free(&e->parts);
    status_t st = policy_split(e->policy_doc, POLICY_MAX_CHARS, &e->parts, err);
    if (st != ST_OK) {
        error_prefix(err, e->o->policy_file ? "policy file '%s'" : "the policy", e->o->policy_file);
        return st;
    }
    char *last = policy_part_name(e->o->policy_name, e->parts.n - 1);
    if (strlen(last) > POLICY_NAME_MAX)
        st = error_set(err, ST_BAD_INPUT,
                       "the policy is split into %zu parts and %s is over IAM's %d characters "
                       "for a policy name: use a shorter --policy-name",
                       e->parts.n, last, POLICY_NAME_MAX);
    free(last);
    return st;
}

/* Said once: the operator sees the names IAM will show. */
static void note_split(engine *e)
{
    if (e->parts.n < 2)
        return;
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < e->parts.n; i++) {
        char *name = policy_part_name(e->o->policy_name, i);
        buf_printf(&b, "%s%s (%zu)", i ? ", " : "", name, policy_size(e->parts.docs[i]));
        free(name);
    }
    eng_progress(e,
                 "the policy is %zu characters, over IAM's %d for one managed policy: split "
                 "into %zu: %s",
                 policy_size(e->policy_doc), POLICY_MAX_CHARS, e->parts.n, buf_str(&b));
    buf_free(&b);
}

static status_t build_documents(engine *e, sc_error *err)
{
    policy_options po = {.partition = e->part->name,
                         .bundles = e->o->bundles,
                         .nbundles = e->o->nbundles,
                         .policy_file = e->o->policy_file};
    status_t st = policy_build_whole(&po, &e->policy_doc, err);
    if (st == ST_OK)
        st = split_policy(e, err);
    char principal[13];
    if (st == ST_OK)
        st = trust_principal(e->part->name, e->o->spot_principal, principal, err);
    const char *ext = e->st.external_id ? e->st.external_id : "EXTERNAL-ID-FROM-SPOT";
    if (st == ST_OK)
        st = trust_policy_build(e->part->name, principal, ext, &e->trust_doc, err);
    return st;
}

/* Spot cannot work without ec2:RunInstances: a policy without it would be
 * refused by Spot after the whole wait, so it is refused here, at once. */
static status_t check_policy_actions(engine *e, sc_error *err)
{
    if (preflight_grants_run_instances(e->policy_doc))
        return ST_OK;
    return error_set(err, ST_BAD_INPUT,
                     "the policy does not allow ec2:RunInstances, which Spot needs: keep the "
                     "OceanAndElastigroupBasicActions bundle (or add the action to "
                     "--policy-file)");
}

/* Spot's principal, for checking trust policies; "" when the partition
 * needs --spot-principal and none was given. */
static void spot_principal_arn(engine *e)
{
    char account[13];
    sc_error ignored;
    if (trust_principal(e->part->name, e->o->spot_principal, account, &ignored) == ST_OK)
        snprintf(e->principal_arn, sizeof e->principal_arn, "%siam::%s:root", e->part->arn_prefix,
                 account);
}

/* ---- the plan ---- */

static status_t run_spot_side(engine *e, sc_error *err)
{
    status_t st = eng_spot_account(e, err);
    if (st == ST_OK)
        st = eng_external_id(e, err);
    return st;
}

static status_t run_aws_side(engine *e, sc_error *err)
{
    status_t st = ST_OK;
    if (e->o->method == CONNECT_MANUAL) {
        if (!e->o->role_arn)
            return error_set(err, ST_MISSING_ANSWER,
                             "create the role in the AWS console with External ID %s, then run "
                             "again with --role-arn ARN",
                             e->st.external_id ? e->st.external_id : "(see above)");
        role_arn r;
        arn_parse_role(e->o->role_arn, NULL, NULL, &r, err); /* checked in eng_identity */
        state_set(&e->role_arn, e->o->role_arn);
        state_set(&e->st.role.name, r.name);
        return eng_reach(e, STEP_ATTACHED, err);
    }
    /* Built again: the trust policy needs the External ID known by now. */
    free(e->policy_doc);
    free(e->trust_doc);
    e->policy_doc = e->trust_doc = NULL;
    st = build_documents(e, err);
    if (st == ST_OK)
        st = eng_policy(e, err);
    if (st == ST_OK)
        st = eng_role(e, err);
    if (st == ST_OK)
        st = eng_attach(e, err);
    if (st == ST_OK)
        st = eng_drop_surplus_parts(e, err);
    return st;
}

/* Spot has accepted this role before and the run changed nothing in IAM:
 * a read tells whether Spot still uses it, so a re-run writes nothing. */
static int may_be_in_line(const engine *e)
{
    if (e->o->update)
        return 1;
    return !e->aws_changed && e->st.connected && e->st.role.arn && e->role_arn &&
           strcmp(e->st.role.arn, e->role_arn) == 0;
}

static status_t run_steps(engine *e, sc_error *err)
{
    status_t st = ST_OK;
    if (e->o->method != CONNECT_CONSOLE)
        st = run_spot_side(e, err);
    else
        st = eng_external_id(e, err);
    if (st != ST_OK || e->already_connected)
        return st;
    st = run_aws_side(e, err);
    if (st == ST_OK && e->o->method == CONNECT_CONSOLE)
        state_set(&e->st.role.arn, e->role_arn); /* the operator pastes it into Spot */
    if (st == ST_OK && e->o->method != CONNECT_CONSOLE)
        st = eng_preflight(e, err);
    if (st != ST_OK || e->o->method == CONNECT_CONSOLE)
        return st;
    int in_line = 0;
    if (may_be_in_line(e))
        st = eng_spot_in_line(e, &in_line, err);
    if (st == ST_OK && !in_line)
        st = eng_set_credentials(e, err);
    if (st == ST_OK && !in_line)
        st = eng_verify(e, err);
    return st;
}

static char *dup_opt(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Every part's ARN, the first one first (policy_arn). */
static void fill_policy_arns(const engine *e, connect_result *out)
{
    if (!e->st.policy.arn)
        return;
    out->policy_arns = xcalloc(e->st.nparts + 1, sizeof *out->policy_arns);
    out->policy_arns[out->npolicy_arns++] = xstrdup(e->st.policy.arn);
    for (size_t i = 0; i < e->st.nparts; i++)
        if (e->st.parts[i].item.arn)
            out->policy_arns[out->npolicy_arns++] = xstrdup(e->st.parts[i].item.arn);
}

static void fill_result(const engine *e, connect_result *out)
{
    out->aws_account_id = e->caller_account[0] ? xstrdup(e->caller_account) : NULL;
    out->spot_account_id = dup_opt(e->st.spot_account.arn);
    out->external_id = dup_opt(e->st.external_id);
    out->role_arn = dup_opt(e->role_arn ? e->role_arn : e->st.role.arn);
    out->policy_arn = dup_opt(e->st.policy.arn);
    fill_policy_arns(e, out);
    out->state_path = dup_opt(e->st.path);
    out->log_path = dup_opt(journal_path(e->j));
    out->connected = e->st.connected;
    out->already_connected = e->already_connected;
    out->preflight_skipped = e->preflight == PREFLIGHT_SKIPPED;
    out->spot_rehanded = e->spot_rehanded;
}

/* The plan is known: the connections to the endpoints after the first
 * call's are opened while it runs (the identity is STS's; the automatic
 * path goes to IAM next, and every method but the console's to Spot). */
static void preconnect_plan(const engine *e)
{
    if (e->aws && e->o->method == CONNECT_AUTOMATIC)
        aws_client_preconnect(e->aws, AWS_IAM);
    if (e->spot)
        spot_client_preconnect(e->spot);
}

/* What can be refused before any call is made. */
static status_t check_options(const connect_options *o, sc_error *err)
{
    const partition_info *p = o->partition ? partition_by_name(o->partition) : NULL;
    if (o->partition && !p)
        return error_set(err, ST_BAD_INPUT, "unknown partition '%s' (aws, aws-us-gov or aws-cn)",
                         o->partition);
    int special = p && strcmp(p->name, "aws") != 0;
    if (special && o->method != CONNECT_MANUAL && !o->spot_principal)
        return error_set(err, ST_BAD_INPUT,
                         "%s needs --spot-principal ACCOUNT: Spot's AWS account in that partition "
                         "is not public; the Spot console shows it in the role step",
                         p->name);
    if (special && o->nbundles)
        return error_set(err, ST_BAD_INPUT,
                         "the policy cannot be customised in %s (full policy only): drop --bundles",
                         p->name);
    if (o->method == CONNECT_CONSOLE && !o->external_id)
        return error_set(err, ST_MISSING_ANSWER,
                         "the console method needs --external-id (the Spot console shows it in "
                         "the role step)");
    return eng_rules_check(o, err);
}

status_t connect_run(const connect_options *o, const connect_hooks *h, aws_session *aws,
                     spot_client *spot, journal *j, connect_result *out, sc_error *err)
{
    /* e.part is never NULL: later steps print and sign with its name. */
    engine e = {.o = o,
                .h = h,
                .aws = aws ? aws->client : NULL,
                .spot = spot,
                .j = j,
                .part = partition_default(),
                .role_name = o->role_name,
                .ans = o->answers ? o->answers : answers_new()};
    memset(out, 0, sizeof *out);
    status_t st = check_options(o, err);
    if (st == ST_OK)
        preconnect_plan(&e);
    if (st == ST_OK)
        st = eng_identity(&e, err);
    /* Bad documents are refused before anything is written, state included. */
    if (st == ST_OK && o->method != CONNECT_MANUAL)
        st = build_documents(&e, err);
    if (st == ST_OK && o->method != CONNECT_MANUAL)
        st = check_policy_actions(&e, err);
    if (st == ST_OK)
        spot_principal_arn(&e);
    if (st == ST_OK && o->method != CONNECT_MANUAL)
        note_split(&e);
    if (st == ST_OK)
        st = open_state(&e, err);
    if (st == ST_OK)
        st = eng_rules_open(&e, err);
    /* IAM's limit of policies per role, before anything is written. */
    if (st == ST_OK)
        st = eng_check_role_limit(&e, err);
    if (st == ST_OK)
        st = open_log(&e, err);
    if (st == ST_OK)
        st = run_steps(&e, err);
    if (st == ST_PAUSED) {
        error_clear(err);
        st = ST_OK; /* the phase asked for is done */
    } else if (st != ST_OK) {
        journal_note(j, "stopped: %s", err->message);
        answers_clear(e.ans); /* the world may not be what they say */
    }
    fill_result(&e, out);
    state_free(&e.st);
    free(e.policy_doc);
    policy_parts_free(&e.parts);
    if (e.ans != o->answers)
        answers_free(e.ans);
    free(e.trust_doc);
    free(e.role_arn);
    eng_rules_free(&e);
    return st;
}

void connect_result_free(connect_result *r)
{
    free(r->aws_account_id);
    free(r->spot_account_id);
    free(r->external_id);
    free(r->role_arn);
    free(r->policy_arn);
    for (size_t i = 0; i < r->npolicy_arns; i++)
        free(r->policy_arns[i]);
    free(r->policy_arns);
    free(r->state_path);
    free(r->log_path);
    memset(r, 0, sizeof *r);
}
