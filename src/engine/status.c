/* How a connection stands: the saved state, and what Spot says now. */
#include <stdlib.h>
#include <string.h>

#include "aws/sts.h"
#include "engine/manage.h"
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

status_t status_run(const char *path, spot_client *spot, status_report *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st = state_load(path, &out->st, err);
    if (st == ST_OK && !out->st.aws_account_id)
        return error_set(err, ST_BAD_INPUT,
                         "no connection recorded in %s (run 'spot-connect connect' first)", path);
    return st == ST_OK ? ask_spot(spot, out, err) : st;
}

void status_report_free(status_report *r)
{
    state_free(&r->st);
    free(r->role_arn);
    memset(r, 0, sizeof *r);
}
