/* A policy split into several managed policies (Spot-Policy,
 * Spot-Policy-2, ...): where each part is kept in the state, IAM's limit of
 * policies per role, and the parts a shrunken policy no longer needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

eng_part eng_part_at(engine *e, size_t i)
{
    eng_part p = {.name = policy_part_name(e->o->policy_name, i), .doc = e->parts.docs[i]};
    if (i == 0) {
        p.item = &e->st.policy;
        p.attached = &e->st.policy_attached;
        p.versions = &e->st.policy_versions;
        p.nversions = &e->st.npolicy_versions;
    } else {
        state_part *sp = state_part_at(&e->st, i - 1);
        p.item = &sp->item;
        p.attached = &sp->attached;
        p.versions = &sp->versions;
        p.nversions = &sp->nversions;
    }
    return p;
}

void eng_part_free(eng_part *p)
{
    free(p->name);
    p->name = NULL;
}

/* ---- IAM's limit of managed policies per role ---- */

static char *policy_arn(const engine *e, const char *account, const char *name)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%siam::%s:policy%s%s", e->part->arn_prefix, account,
               e->iam_path ? e->iam_path : "/", name);
    return buf_steal(&b);
}

/* 1 when arn is one this run attaches or one of ours it will detach. */
static int ours(engine *e, const char *arn, const char *audit)
{
    if (audit && strcmp(arn, audit) == 0)
        return 1;
    for (size_t i = 0; i < e->parts.n; i++) {
        char *name = policy_part_name(e->o->policy_name, i);
        char *mine = policy_arn(e, e->caller_account, name);
        int same = strcmp(arn, mine) == 0;
        free(mine);
        free(name);
        if (same)
            return 1;
    }
    for (size_t i = 0; i < e->st.nparts; i++)
        if (e->st.parts[i].attached && e->st.parts[i].item.arn &&
            strcmp(arn, e->st.parts[i].item.arn) == 0)
            return 1;
    return 0;
}

status_t eng_check_role_limit(engine *e, sc_error *err)
{
    if (!e->aws || e->o->method == CONNECT_MANUAL)
        return ST_OK;
    iam_attached_policies a;
    /* Its NoSuchEntity is kept too: the role step then creates at once. */
    status_t st = answers_role_policies(e->ans, e->aws, e->role_name, &a, err);
    if (st != ST_OK && !iam_is(err, "NoSuchEntity"))
        return st;
    if (st != ST_OK)
        memset(&a, 0, sizeof a); /* no role yet: nothing attached */
    error_clear(err);
    char *audit = e->o->security_audit ? policy_arn(e, "aws", "SecurityAudit") : NULL;
    size_t others = 0;
    for (size_t i = 0; i < a.n; i++)
        others += a.arns[i] && !ours(e, a.arns[i], audit);
    free(audit);
    iam_attached_policies_free(&a);
    size_t total = e->parts.n + (e->o->security_audit ? 1 : 0) + others;
    if (total <= POLICY_MAX_PER_ROLE)
        return ST_OK;
    return error_set(err, ST_BAD_INPUT,
                     "role %s would have %zu managed policies (%zu of %s%s, %zu attached by "
                     "others), over IAM's limit of %d per role: shorten the policy or detach "
                     "some; nothing was changed",
                     e->role_name, total, e->parts.n, e->o->policy_name,
                     e->o->security_audit ? ", SecurityAudit" : "", others, POLICY_MAX_PER_ROLE);
}

status_t eng_role_policies(engine *e, iam_attached_policies *out, sc_error *err)
{
    return answers_role_policies(e->ans, e->aws, e->role_name, out, err);
}

/* ---- parts no longer needed ---- */

static status_t detach_part(engine *e, state_part *p, sc_error *err)
{
    if (!p->attached || !p->item.arn || eng_plan(e, "iam", "DetachRolePolicy", p->item.arn))
        return ST_OK;
    status_t st = iam_detach_role_policy(e->aws, e->role_name, p->item.arn, err);
    if (st != ST_OK && !iam_is(err, "NoSuchEntity"))
        return st;
    error_clear(err);
    p->attached = 0;
    e->aws_changed = 1;
    answers_forget_role(e->ans, e->role_name);
    eng_progress(e, "detached %s from role %s: the policy needs fewer parts now", p->item.arn,
                 e->role_name);
    return ST_OK;
}

/* Versions first: IAM deletes a policy only without non-default ones. */
static status_t delete_part(engine *e, state_part *p, sc_error *err)
{
    if (!p->item.created || !p->item.arn || eng_plan(e, "iam", "DeletePolicy", p->item.arn))
        return ST_OK;
    iam_policy_versions vs;
    status_t st = iam_list_policy_versions(e->aws, p->item.arn, &vs, err);
    if (st != ST_OK)
        return iam_is(err, "NoSuchEntity") ? (error_clear(err), ST_OK) : st;
    for (size_t i = 0; st == ST_OK && i < vs.n; i++)
        if (!vs.items[i].is_default)
            st = iam_delete_policy_version(e->aws, p->item.arn, vs.items[i].version_id, err);
    iam_policy_versions_free(&vs);
    if (st == ST_OK)
        st = iam_delete_policy(e->aws, p->item.arn, err);
    if (st != ST_OK && iam_is(err, "DeleteConflict")) {
        eng_progress(e, "policy %s is no longer needed but kept: others have it attached",
                     p->item.arn);
    } else if (st != ST_OK && !iam_is(err, "NoSuchEntity")) {
        return st;
    } else {
        eng_progress(e, "deleted policy %s: the policy needs fewer parts now", p->item.arn);
    }
    error_clear(err);
    answers_forget_policy(e->ans, p->item.arn);
    p->item.created = 0;
    e->aws_changed = 1;
    return ST_OK;
}

status_t eng_drop_surplus_parts(engine *e, sc_error *err)
{
    size_t keep = e->parts.n ? e->parts.n - 1 : 0; /* parts after the first */
    status_t st = ST_OK;
    for (size_t i = keep; st == ST_OK && i < e->st.nparts; i++) {
        st = detach_part(e, &e->st.parts[i], err);
        if (st == ST_OK)
            st = delete_part(e, &e->st.parts[i], err);
    }
    if (st != ST_OK || e->o->dry_run || keep >= e->st.nparts)
        return st;
    state_parts_truncate(&e->st, keep);
    return eng_save(e, err);
}
