/* The AWS side of a connection: the managed policy, the role Spot assumes,
 * and the attachments. Each step reads first and changes only what differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "doc/policy.h"
#include "doc/trust.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/retry.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define IAM_MAX_POLICY_VERSIONS 5

static char *iam_arn(const engine *e, const char *account, const char *kind, const char *path,
                     const char *name)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%siam::%s:%s%s%s", e->part->arn_prefix, account, kind, path, name);
    return buf_steal(&b);
}

/* ---- policy ---- */

/* The oldest version that is not the default, to make room for a new one. */
static const char *oldest_non_default(const iam_policy_versions *vs)
{
    const iam_policy_version *old = NULL;
    for (size_t i = 0; i < vs->n; i++)
        if (!vs->items[i].is_default && (!old || vs->items[i].create_date < old->create_date))
            old = &vs->items[i];
    return old ? old->version_id : NULL;
}

static status_t prune_versions(engine *e, const char *arn, sc_error *err)
{
    iam_policy_versions vs;
    status_t st = iam_list_policy_versions(e->aws, arn, &vs, err);
    if (st != ST_OK)
        return st;
    const char *victim = vs.n >= IAM_MAX_POLICY_VERSIONS ? oldest_non_default(&vs) : NULL;
    if (victim && !eng_plan(e, "iam", "DeletePolicyVersion", victim)) {
        eng_progress(e, "policy has %zu versions: deleting the oldest, %s", vs.n, victim);
        st = iam_delete_policy_version(e->aws, arn, victim, err);
    }
    iam_policy_versions_free(&vs);
    return st;
}

static status_t add_policy_version(engine *e, const eng_part *pt, const char *arn, sc_error *err)
{
    status_t st = prune_versions(e, arn, err);
    if (st != ST_OK || eng_plan(e, "iam", "CreatePolicyVersion SetAsDefault=true", pt->doc))
        return st;
    iam_policy_version v;
    st = iam_create_policy_version(e->aws, arn, pt->doc, 1, &v, err);
    if (st != ST_OK)
        return st;
    eng_progress(e, "policy %s updated to version %s", arn, v.version_id);
    e->aws_changed = 1;
    answers_policy_version_made(e->ans, arn, v.version_id, pt->doc);
    state_add_version(pt->versions, pt->nversions, v.version_id);
    iam_policy_version_free(&v);
    return ST_OK;
}

/* The policy exists: make its default version the document we want. */
static status_t converge_policy(engine *e, const eng_part *pt, const iam_policy *p, sc_error *err)
{
    iam_policy_version v;
    status_t st = answers_policy_version(e->ans, e->aws, p->arn, p->default_version_id, &v, err);
    if (st != ST_OK)
        return st;
    int same = v.document && policy_equal(v.document, pt->doc);
    iam_policy_version_free(&v);
    if (same) {
        eng_progress(e, "policy %s is up to date", p->arn);
        return ST_OK;
    }
    return add_policy_version(e, pt, p->arn, err);
}

/* The name is taken, but not at our ARN: IAM cannot move a policy. */
static status_t policy_elsewhere(engine *e, const char *name, sc_error *err)
{
    return error_set(err, ST_BAD_INPUT,
                     "a policy named %s exists under another IAM path than %s, and IAM cannot "
                     "move a policy: use its path with --iam-path, or another --policy-name",
                     name, e->iam_path);
}

static status_t create_policy(engine *e, const eng_part *pt, sc_error *err)
{
    const char *name = pt->name;
    buf_t call = BUF_INIT;
    buf_printf(&call, "CreatePolicy PolicyName=%s", name);
    char *line = eng_rules_plan_call(e, buf_str(&call), 0);
    buf_free(&call);
    int planned = eng_plan(e, "iam", line, pt->doc);
    free(line);
    if (planned)
        return ST_OK;
    pt->item->pending = 1;
    status_t st = eng_save(e, err);
    iam_policy p;
    iam_extras x;
    eng_rules_extras(e, 0, &x);
    if (st == ST_OK)
        st = iam_create_policy_with(e->aws, name, pt->doc, "Spot by NetApp (spot-connect)", &x, &p,
                                    err);
    if (st != ST_OK)
        return st;
    if (pt->item == &e->st.policy)
        eng_rules_created(e, 0);
    pt->item->created = 1;
    pt->item->pending = 0;
    e->aws_changed = 1;
    answers_policy_made(e->ans, &p, pt->doc);
    eng_progress(e, "created policy %s", p.arn);
    iam_policy_free(&p);
    return ST_OK;
}

/* Whether to ask IAM before writing. A plan never writes, and what an
 * earlier run made or sent is most likely there; otherwise the create is
 * the question, and EntityAlreadyExists the answer that sends us to read. */
static int read_first(const engine *e, const state_item *it, state_step made)
{
    return e->o->dry_run || it->created || it->pending || e->st.step >= made;
}

/* The create found the name taken: that entity existed before this run's
 * create (or an attempt whose answer was lost made it: it cannot be told
 * apart, so it is never claimed, and disconnect leaves it). Saved at once:
 * a run stopped now must not find "pending" and claim it. */
static status_t taken(engine *e, state_item *it, sc_error *err)
{
    it->pending = 0;
    error_clear(err);
    return eng_save(e, err);
}

static status_t existing_policy(engine *e, const eng_part *pt, const char *arn, sc_error *err)
{
    iam_policy p;
    status_t st = answers_policy(e->ans, e->aws, arn, &p, err);
    if (st != ST_OK)
        return st;
    /* A create whose answer was lost last time was ours all the same. */
    eng_claim_pending(pt->item);
    st = converge_policy(e, pt, &p, err);
    if (st == ST_OK)
        st = eng_rules_policy(e, p.arn, err);
    iam_policy_free(&p);
    return st;
}

static status_t policy_part(engine *e, const eng_part *pt, sc_error *err)
{
    char *arn = iam_arn(e, e->caller_account, "policy/", e->iam_path + 1, pt->name);
    status_t st = eng_rules_policy_moved(e, pt->item->arn, pt->name, arn, err);
    if (st != ST_OK) {
        free(arn);
        return st;
    }
    int read = answers_policy_known(e->ans, arn) ||
               (!answers_policy_missing(e->ans, arn) && read_first(e, pt->item, STEP_POLICY));
    state_set(&pt->item->name, pt->name);
    state_set(&pt->item->arn, arn);
    st = read ? existing_policy(e, pt, arn, err) : create_policy(e, pt, err);
    if (st != ST_OK && read && iam_is(err, "NoSuchEntity"))
        st = create_policy(e, pt, err);
    else if (st != ST_OK && !read && iam_is(err, "EntityAlreadyExists")) {
        answers_forget_policy(e->ans, arn); /* "missing" was stale */
        st = taken(e, pt->item, err);
        if (st == ST_OK)
            st = existing_policy(e, pt, arn, err);
        if (st != ST_OK && iam_is(err, "NoSuchEntity"))
            st = policy_elsewhere(e, pt->name, err);
    }
    free(arn);
    return st;
}

status_t eng_policy(engine *e, sc_error *err)
{
    status_t st = ST_OK;
    for (size_t i = 0; st == ST_OK && i < e->parts.n; i++) {
        eng_part pt = eng_part_at(e, i);
        st = policy_part(e, &pt, err);
        eng_part_free(&pt);
    }
    return st == ST_OK ? eng_reach(e, STEP_POLICY, err) : st;
}

/* ---- role ---- */

/* IAM may not yet resolve a principal it has just seen; Terraform retries
 * CreateRole on exactly this message. */
static int invalid_principal(const sc_error *err)
{
    return iam_is(err, "MalformedPolicyDocument") && strstr(err->message, "Invalid principal");
}

static status_t create_role_retrying(engine *e, iam_role *r, sc_error *err)
{
    retry_policy p = retry_iam_settle;
    p.deadline = time_monotonic() + e->o->wait_seconds;
    for (int attempt = 1;; attempt++) {
        iam_extras x;
        eng_rules_extras(e, 1, &x);
        status_t st = iam_create_role_with(e->aws, e->role_name, e->trust_doc,
                                           "Lets Spot by NetApp manage this account (spot-connect)",
                                           &x, r, err);
        if (st == ST_OK || !invalid_principal(err))
            return st;
        retry_verdict v = retry_wait(&p, attempt, 0, e->o->cancel);
        if (v != RETRY_AGAIN)
            return v == RETRY_CANCELLED ? eng_check_cancel(e, err) : st;
    }
}

static status_t create_role(engine *e, sc_error *err)
{
    char *call = eng_rules_plan_call(e, "CreateRole", 1);
    int planned = eng_plan(e, "iam", call, e->trust_doc);
    free(call);
    if (planned) {
        char *arn = iam_arn(e, e->caller_account, "role/", e->iam_path + 1, e->role_name);
        state_set(&e->role_arn, arn);
        free(arn);
        return ST_OK;
    }
    e->st.role.pending = 1;
    status_t st = eng_save(e, err);
    iam_role r;
    if (st == ST_OK)
        st = create_role_retrying(e, &r, err);
    if (st != ST_OK)
        return st;
    answers_role_made(e->ans, e->role_name, &r, e->trust_doc, e->o->permissions_boundary);
    eng_rules_created(e, 1);
    e->st.role.created = 1;
    e->st.role.pending = 0;
    e->aws_changed = 1;
    state_set(&e->role_arn, r.arn);
    eng_progress(e, "created role %s", r.arn);
    iam_role_free(&r);
    return ST_OK;
}

static status_t converge_role(engine *e, const iam_role *r, sc_error *err)
{
    state_set(&e->role_arn, r->arn);
    if (r->trust_policy && policy_equal(r->trust_policy, e->trust_doc)) {
        eng_progress(e, "role %s already trusts Spot with this External ID", r->arn);
        return ST_OK;
    }
    if (eng_plan(e, "iam", "UpdateAssumeRolePolicy", e->trust_doc))
        return ST_OK;
    status_t st = iam_update_assume_role_policy(e->aws, e->role_name, e->trust_doc, err);
    if (st == ST_OK) {
        eng_progress(e, "role %s now trusts Spot with the current External ID", r->arn);
        e->aws_changed = 1;
        answers_trust_set(e->ans, e->role_name, e->trust_doc);
    }
    return st;
}

static status_t existing_role(engine *e, sc_error *err)
{
    iam_role r;
    status_t st = answers_role(e->ans, e->aws, e->role_name, &r, err);
    if (st != ST_OK)
        return st;
    eng_claim_pending(&e->st.role);
    st = converge_role(e, &r, err);
    if (st == ST_OK)
        st = eng_rules_role(e, &r, err);
    iam_role_free(&r);
    return st;
}

/* The limit check has read the role's policies: NoSuchEntity there is the
 * answer to "does the role exist" (kept with the answers), so the role is
 * created without asking again; EntityAlreadyExists catches one made since. */
status_t eng_role(engine *e, sc_error *err)
{
    state_set(&e->st.role.name, e->role_name);
    int missing = answers_role_missing(e->ans, e->role_name);
    status_t st = missing ? create_role(e, err) : existing_role(e, err);
    if (st != ST_OK && !missing && iam_is(err, "NoSuchEntity")) {
        st = create_role(e, err);
    } else if (st != ST_OK && missing && iam_is(err, "EntityAlreadyExists")) {
        answers_forget_role(e->ans, e->role_name); /* read before it was made: stale */
        st = taken(e, &e->st.role, err);
        if (st == ST_OK)
            st = existing_role(e, err);
    }
    return st == ST_OK ? eng_reach(e, STEP_ROLE, err) : st;
}

/* ---- attachments ---- */

static int has_arn(const iam_attached_policies *a, const char *arn)
{
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->arns[i], arn) == 0)
            return 1;
    return 0;
}

static status_t attach_one(engine *e, const iam_attached_policies *a, const char *arn,
                           int *attached_by_us, sc_error *err)
{
    if (has_arn(a, arn) || eng_plan(e, "iam", "AttachRolePolicy", arn))
        return ST_OK;
    status_t st = iam_attach_role_policy(e->aws, e->role_name, arn, err);
    if (st == ST_OK) {
        *attached_by_us = 1;
        e->aws_changed = 1;
        answers_attached(e->ans, e->role_name, arn);
        eng_progress(e, "attached %s to role %s", arn, e->role_name);
    }
    return st;
}

status_t eng_attach(engine *e, sc_error *err)
{
    iam_attached_policies a = {0};
    status_t st = eng_role_policies(e, &a, err);
    /* In a dry run the role may be one the plan would create. */
    if (st != ST_OK && !(e->o->dry_run && iam_is(err, "NoSuchEntity")))
        return st;
    char *audit = NULL;
    st = ST_OK;
    for (size_t i = 0; st == ST_OK && i < e->parts.n; i++) {
        eng_part pt = eng_part_at(e, i);
        st = attach_one(e, &a, pt.item->arn, pt.attached, err);
        eng_part_free(&pt);
    }
    if (st == ST_OK && e->o->security_audit) {
        audit = iam_arn(e, "aws", "policy/", "", "SecurityAudit");
        st = attach_one(e, &a, audit, &e->st.security_audit_attached, err);
    }
    free(audit);
    iam_attached_policies_free(&a);
    return st == ST_OK ? eng_reach(e, STEP_ATTACHED, err) : st;
}
