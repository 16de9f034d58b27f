/* Undoing a connection: only what the state file says this tool created. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/iam.h"
#include "aws/partition.h"
#include "engine/manage.h"
#include "util/buf.h"
#include "util/xalloc.h"

typedef struct undo {
    aws_client *aws;
    spot_client *spot;
    journal *j;
    conn_state st;
    disconnect_report *r;
} undo;

static void add_line(char ***list, size_t *n, const char *fmt, va_list ap)
{
    buf_t b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = buf_steal(&b);
}

static void removed(undo *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void removed(undo *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&u->r->removed, &u->r->nremoved, fmt, ap);
    va_end(ap);
    journal_note(u->j, "removed: %s", u->r->removed[u->r->nremoved - 1]);
}

static void kept(undo *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kept(undo *u, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_line(&u->r->kept, &u->r->nkept, fmt, ap);
    va_end(ap);
}

/* ---- IAM ---- */

static status_t detach(undo *u, const char *arn, int *flag, sc_error *err)
{
    if (!*flag || !arn || !u->st.role.name)
        return ST_OK;
    status_t st = iam_detach_role_policy(u->aws, u->st.role.name, arn, err);
    if (st == ST_OK || iam_is(err, "NoSuchEntity")) {
        removed(u, "attachment of %s to role %s", arn, u->st.role.name);
        *flag = 0;
        return ST_OK;
    }
    return st;
}

static status_t detach_ours(undo *u, sc_error *err)
{
    const partition_info *p = partition_by_name(u->st.partition ? u->st.partition : "aws");
    buf_t audit = BUF_INIT;
    buf_printf(&audit, "%siam::aws:policy/SecurityAudit", p ? p->arn_prefix : "arn:aws:");
    status_t st = detach(u, u->st.policy.arn, &u->st.policy_attached, err);
    for (size_t i = 0; st == ST_OK && i < u->st.nparts; i++)
        st = detach(u, u->st.parts[i].item.arn, &u->st.parts[i].attached, err);
    if (st == ST_OK)
        st = detach(u, audit.data, &u->st.security_audit_attached, err);
    buf_free(&audit);
    return st;
}

static status_t delete_role(undo *u, sc_error *err)
{
    state_item *role = &u->st.role;
    if (!role->name)
        return ST_OK;
    if (!role->created) {
        kept(u, "role %s: not created by spot-connect", role->name);
        return ST_OK;
    }
    status_t st = iam_delete_role(u->aws, role->name, err);
    if (st == ST_OK || iam_is(err, "NoSuchEntity")) {
        removed(u, "role %s", role->arn ? role->arn : role->name);
        role->created = 0;
        return ST_OK;
    }
    if (iam_is(err, "DeleteConflict")) {
        kept(u, "role %s: it has other policies attached that spot-connect did not attach",
             role->name);
        return ST_OK;
    }
    return st;
}

/* One managed policy of the connection (a split policy has several) and
 * the versions this tool added to it. */
typedef struct undo_policy {
    state_item *item;
    char **versions;
    size_t nversions;
} undo_policy;

static status_t delete_versions(undo *u, const undo_policy *up, int all_non_default, sc_error *err)
{
    const state_item *pol = up->item;
    iam_policy_versions vs;
    status_t st = iam_list_policy_versions(u->aws, pol->arn, &vs, err);
    for (size_t i = 0; st == ST_OK && i < vs.n; i++) {
        const iam_policy_version *v = &vs.items[i];
        int ours = all_non_default;
        for (size_t k = 0; !ours && k < up->nversions; k++)
            ours = strcmp(up->versions[k], v->version_id) == 0;
        if (!ours)
            continue;
        if (v->is_default && !all_non_default) {
            kept(u, "version %s of policy %s: it is the default version", v->version_id, pol->arn);
            continue;
        }
        if (!v->is_default &&
            (st = iam_delete_policy_version(u->aws, pol->arn, v->version_id, err)) == ST_OK)
            removed(u, "version %s of policy %s", v->version_id, pol->arn);
    }
    iam_policy_versions_free(&vs);
    return st;
}

static status_t delete_created_policy(undo *u, state_item *pol, sc_error *err)
{
    iam_policy p;
    status_t st = iam_get_policy(u->aws, pol->arn, &p, err);
    if (st != ST_OK && iam_is(err, "NoSuchEntity")) {
        pol->created = 0;
        return ST_OK;
    }
    if (st != ST_OK)
        return st;
    long others = p.attachment_count;
    iam_policy_free(&p);
    if (others > 0) {
        kept(u, "policy %s: still attached to %ld other identities", pol->arn, others);
        return ST_OK;
    }
    st = iam_delete_policy(u->aws, pol->arn, err);
    if (st == ST_OK) {
        removed(u, "policy %s", pol->arn);
        pol->created = 0;
    }
    return st;
}

static status_t delete_policy(undo *u, const undo_policy *up, sc_error *err)
{
    state_item *pol = up->item;
    if (!pol->arn)
        return ST_OK;
    status_t st = delete_versions(u, up, pol->created, err);
    if (st != ST_OK && iam_is(err, "NoSuchEntity")) {
        pol->created = 0; /* already gone */
        return ST_OK;
    }
    if (st != ST_OK)
        return st;
    if (!pol->created) {
        kept(u, "policy %s: not created by spot-connect", pol->arn);
        return ST_OK;
    }
    return delete_created_policy(u, pol, err);
}

/* Every part of the policy, the first one first. */
static status_t delete_policies(undo *u, sc_error *err)
{
    undo_policy first = {&u->st.policy, u->st.policy_versions, u->st.npolicy_versions};
    status_t st = delete_policy(u, &first, err);
    for (size_t i = 0; st == ST_OK && i < u->st.nparts; i++) {
        state_part *p = &u->st.parts[i];
        undo_policy part = {&p->item, p->versions, p->nversions};
        st = delete_policy(u, &part, err);
    }
    return st;
}

/* ---- Spot ---- */

static status_t check_account_request(undo *u, int want, sc_error *err)
{
    const state_item *acct = &u->st.spot_account;
    if (want && acct->arn && !acct->created)
        return error_set(err, ST_BAD_INPUT,
                         "refusing to delete Spot account %s: spot-connect did not create it",
                         acct->arn);
    if (want && !u->spot)
        return error_set(err, ST_MISSING_ANSWER,
                         "--delete-spot-account needs a Spot token (SPOTINST_TOKEN, --token-file)");
    return ST_OK;
}

static status_t delete_account(undo *u, int want, sc_error *err)
{
    state_item *acct = &u->st.spot_account;
    if (!acct->arn)
        return ST_OK;
    if (!want) {
        kept(u, "Spot account %s: use --delete-spot-account to delete it", acct->arn);
        return ST_OK;
    }
    status_t st = spot_delete_account(u->spot, acct->arn, err);
    if (st == ST_SPOT && strcmp(err->code, "Account_DOESNT_EXIST") == 0)
        st = ST_OK;
    if (st == ST_OK) {
        removed(u, "Spot account %s", acct->arn);
        acct->created = 0;
        state_set(&acct->arn, NULL);
    }
    return st;
}

/* ---- the whole ---- */

static int anything_ours(const conn_state *st)
{
    for (size_t i = 0; i < st->nparts; i++)
        if (st->parts[i].item.created || st->parts[i].attached)
            return 1;
    return st->role.created || st->policy.created || st->policy_attached ||
           st->security_audit_attached || st->spot_account.arn;
}

static status_t finish(undo *u, sc_error *err)
{
    if (anything_ours(&u->st))
        return state_save(&u->st, err);
    if (unlink(u->st.path) == 0)
        removed(u, "state file %s", u->st.path);
    return ST_OK;
}

status_t disconnect_run(const char *path, int delete_spot_account, aws_session *aws,
                        spot_client *spot, journal *j, disconnect_report *out, sc_error *err)
{
    undo u = {aws ? aws->client : NULL, spot, j, {0}, out};
    memset(out, 0, sizeof *out);
    status_t st = state_load(path, &u.st, err);
    if (st == ST_OK && !u.st.aws_account_id) {
        /* Nothing to remove is an answer, not a failure: "removed": []. */
        kept(&u,
             "nothing: no connection recorded in %s (spot-connect removes only what it "
             "created)",
             path);
        state_free(&u.st);
        return ST_OK;
    }
    if (st == ST_OK)
        st = check_account_request(&u, delete_spot_account, err);
    if (st == ST_OK && !u.aws)
        st = error_set(err, ST_NO_CREDENTIALS, "disconnect needs AWS credentials");
    if (st == ST_OK)
        st = detach_ours(&u, err);
    if (st == ST_OK)
        st = delete_role(&u, err);
    if (st == ST_OK)
        st = delete_policies(&u, err);
    if (st == ST_OK)
        st = delete_account(&u, delete_spot_account, err);
    if (st == ST_OK) {
        u.st.connected = 0;
        st = finish(&u, err);
    } else if (u.st.aws_account_id) {
        sc_error ignored;
        state_save(&u.st, &ignored); /* keep what was undone so far */
    }
    state_free(&u.st);
    return st;
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

void disconnect_report_free(disconnect_report *r)
{
    free_lines(r->removed, r->nremoved);
    free_lines(r->kept, r->nkept);
    memset(r, 0, sizeof *r);
}
