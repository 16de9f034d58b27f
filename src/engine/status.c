/* How a connection stands: the saved state, and what Spot says now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/partition.h"
#include "aws/sts.h"
#include "doc/trust.h"
#include "engine/arn.h"
#include "engine/manage.h"
#include "engine/preflight.h"
#include "util/xalloc.h"

status_t manage_state_path(const char *state_path, aws_session *aws, char **out, sc_error *err)
{
    *out = NULL;
    if (state_path) {
        *out = xstrdup(state_path);
        return ST_OK;
    }
    if (!aws)
        return error_set(err, ST_MISSING_ANSWER,
                         "without AWS credentials, name the state file with --state FILE");
    sts_identity id;
    status_t st = sts_get_caller_identity(aws->client, &id, err);
    if (st != ST_OK)
        return st;
    *out = state_default_path(id.account);
    sts_identity_free(&id);
    return ST_OK;
}

/* Spot is asked about the saved account: which role does it use? */
static status_t ask_spot(spot_client *spot, status_report *r, sc_error *err)
{
    const char *acct = r->st.spot_account.arn;
    if (!spot || !acct)
        return ST_OK;
    status_t st = spot_read_credentials(spot, acct, &r->role_arn, err);
    if (st != ST_OK)
        return st;
    r->spot_known = 1;
    r->connected = r->role_arn && (!r->st.role.arn || strcmp(r->role_arn, r->st.role.arn) == 0);
    return ST_OK;
}

/* The state file does not know the connection (the console path, another
 * machine): Spot knows which of its accounts is linked to this AWS account. */
static status_t find_through_spot(aws_session *aws, spot_client *spot, status_report *r,
                                  sc_error *err)
{
    sts_identity id;
    status_t st = sts_get_caller_identity(aws->client, &id, err);
    if (st != ST_OK)
        return st;
    spot_accounts as;
    st = spot_list_accounts(spot, id.account, &as, err);
    if (st == ST_OK && as.n > 0) {
        state_set(&r->st.aws_account_id, id.account);
        state_set(&r->st.spot_account.arn, as.items[0].id);
        const partition_info *p = partition_for_arn(id.arn);
        state_set(&r->st.partition, p ? p->name : NULL);
        r->found_via_spot = 1;
    }
    if (st == ST_OK)
        spot_accounts_free(&as);
    sts_identity_free(&id);
    return st;
}

/* The role Spot uses, put through the same checks as before a connect. */
static status_t check_role(aws_session *aws, status_report *r, sc_error *err)
{
    char account[13], principal[64];
    const char *part = r->st.partition ? r->st.partition : "aws";
    const partition_info *p = partition_by_name(part);
    if (!p || trust_principal(part, NULL, account, err) != ST_OK) {
        error_clear(err); /* GovCloud/China: Spot's principal is not public */
        return ST_OK;
    }
    snprintf(principal, sizeof principal, "%siam::%s:root", p->arn_prefix, account);
    char *trusted = NULL;
    const char *ext = r->st.external_id;
    role_arn ra;
    if (!ext && arn_parse_role(r->role_arn, NULL, NULL, &ra, err) == ST_OK) {
        iam_role ir;
        if (iam_get_role(aws->client, ra.name, &ir, err) == ST_OK) {
            ext = trusted = preflight_trusted_external_id(ir.trust_policy, principal);
            iam_role_free(&ir);
        }
    }
    error_clear(err);
    preflight_want w = {
        .role_arn = r->role_arn, .external_id = ext ? ext : "(none)", .principal_arn = principal};
    preflight_found f;
    status_t st = preflight_check(aws->client, &w, &f, err);
    if (st == ST_OK && !r->st.policy.arn && f.policy_arn[0])
        state_set(&r->st.policy.arn, f.policy_arn);
    if (st == ST_OK || st == ST_BAD_INPUT) {
        r->role_checked = 1;
        r->role_health = xstrdup(st == ST_OK ? "ok" : err->message);
        if (!r->st.external_id && ext)
            state_set(&r->st.external_id, ext);
        error_clear(err);
        st = ST_OK;
    }
    free(trusted);
    return st;
}

status_t status_run(const char *path, aws_session *aws, spot_client *spot, status_report *out,
                    sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st = state_load(path, &out->st, err);
    if (st == ST_OK && !out->st.aws_account_id && aws && spot)
        st = find_through_spot(aws, spot, out, err);
    if (st == ST_OK && !out->st.aws_account_id)
        return error_set(err, ST_BAD_INPUT,
                         "no connection recorded in %s, and Spot has no account linked to this "
                         "AWS account (run 'spot-connect connect' first)",
                         path);
    if (st == ST_OK)
        st = ask_spot(spot, out, err);
    if (st == ST_OK && aws && out->role_arn)
        st = check_role(aws, out, err);
    if (st == ST_OK && aws) {
        out->drift_read = 1;
        st = drift_check(aws->client, &out->st, &out->drift, err);
    }
    return st;
}

status_verdict status_verdict_of(const status_report *r)
{
    int connected = r->spot_known ? r->connected : r->st.connected;
    if (!connected)
        return STATUS_NOT_CONNECTED;
    if (r->drift.drifted || (r->role_health && strcmp(r->role_health, "ok") != 0))
        return STATUS_DRIFTED;
    return STATUS_IN_LINE;
}

void status_report_free(status_report *r)
{
    state_free(&r->st);
    free(r->role_arn);
    free(r->role_health);
    drift_report_free(&r->drift);
    memset(r, 0, sizeof *r);
}
