#include "engine/answers.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* A refusal worth keeping: the entity is not there. Anything else (throttling,
 * a lost connection) is asked again. */
typedef struct kept_error {
    int set;
    sc_error err;
} kept_error;

typedef struct role_entry {
    char *name;
    int have_role;
    iam_role role;
    int have_policies;
    iam_attached_policies policies;
    kept_error missing;
} role_entry;

typedef struct version_entry {
    char *version;
    char *doc;
} version_entry;

typedef struct policy_entry {
    char *arn;
    int have;
    iam_policy policy;
    version_entry *versions;
    size_t nversions;
    kept_error missing;
} policy_entry;

typedef struct accounts_entry {
    char *cloud_account; /* "" for all */
    spot_accounts list;
} accounts_entry;

struct answers {
    unsigned char key[32];
    int have_identity;
    sts_identity identity;
    role_entry *roles;
    size_t nroles;
    policy_entry *policies;
    size_t npolicies;
    accounts_entry *accounts;
    size_t naccounts;
};

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void keep_missing(kept_error *k, const sc_error *err)
{
    k->set = iam_is(err, "NoSuchEntity");
    if (k->set)
        k->err = *err;
}

static status_t give_missing(const kept_error *k, sc_error *err)
{
    *err = k->err;
    return err->status;
}

/* ---- copies ---- */

static void identity_copy(sts_identity *dst, const sts_identity *src)
{
    dst->account = dup_or_null(src->account);
    dst->arn = dup_or_null(src->arn);
    dst->user_id = dup_or_null(src->user_id);
}

static void role_copy(iam_role *dst, const iam_role *src)
{
    dst->name = dup_or_null(src->name);
    dst->id = dup_or_null(src->id);
    dst->arn = dup_or_null(src->arn);
    dst->path = dup_or_null(src->path);
    dst->trust_policy = dup_or_null(src->trust_policy);
    dst->max_session_duration = src->max_session_duration;
    dst->boundary = dup_or_null(src->boundary);
}

static void policies_copy(iam_attached_policies *dst, const iam_attached_policies *src)
{
    dst->n = src->n;
    dst->names = xcalloc(src->n + 1, sizeof *dst->names);
    dst->arns = xcalloc(src->n + 1, sizeof *dst->arns);
    for (size_t i = 0; i < src->n; i++) {
        dst->names[i] = dup_or_null(src->names[i]);
        dst->arns[i] = dup_or_null(src->arns[i]);
    }
}

static void policy_copy(iam_policy *dst, const iam_policy *src)
{
    dst->name = dup_or_null(src->name);
    dst->id = dup_or_null(src->id);
    dst->arn = dup_or_null(src->arn);
    dst->path = dup_or_null(src->path);
    dst->default_version_id = dup_or_null(src->default_version_id);
    dst->attachment_count = src->attachment_count;
}

static void accounts_copy(spot_accounts *dst, const spot_accounts *src)
{
    dst->n = src->n;
    dst->items = xcalloc(src->n + 1, sizeof *dst->items);
    for (size_t i = 0; i < src->n; i++) {
        const spot_account *s = &src->items[i];
        dst->items[i] = (spot_account){.id = dup_or_null(s->id),
                                       .name = dup_or_null(s->name),
                                       .organization_id = dup_or_null(s->organization_id),
                                       .provider_external_id = dup_or_null(s->provider_external_id),
                                       .cloud_provider = dup_or_null(s->cloud_provider)};
    }
}

/* ---- the store ---- */

answers *answers_new(void)
{
    return xcalloc(1, sizeof(answers));
}

static void role_entry_free(role_entry *r)
{
    free(r->name);
    if (r->have_role)
        iam_role_free(&r->role);
    iam_attached_policies_free(&r->policies);
    memset(r, 0, sizeof *r);
}

static void versions_free(policy_entry *p)
{
    for (size_t i = 0; i < p->nversions; i++) {
        free(p->versions[i].version);
        free(p->versions[i].doc);
    }
    free(p->versions);
    p->versions = NULL;
    p->nversions = 0;
}

static void policy_entry_free(policy_entry *p)
{
    free(p->arn);
    if (p->have)
        iam_policy_free(&p->policy);
    versions_free(p);
    memset(p, 0, sizeof *p);
}

void answers_clear(answers *a)
{
    if (!a)
        return;
    if (a->have_identity)
        sts_identity_free(&a->identity);
    for (size_t i = 0; i < a->nroles; i++)
        role_entry_free(&a->roles[i]);
    for (size_t i = 0; i < a->npolicies; i++)
        policy_entry_free(&a->policies[i]);
    free(a->roles);
    free(a->policies);
    answers_spot_changed(a);
    unsigned char key[32];
    memcpy(key, a->key, sizeof key);
    memset(a, 0, sizeof *a);
    memcpy(a->key, key, sizeof key); /* emptied, still for the same credentials */
}

void answers_bind(answers *a, const unsigned char key[32])
{
    if (!a || memcmp(a->key, key, sizeof a->key) == 0)
        return;
    answers_clear(a);
    memcpy(a->key, key, sizeof a->key);
}

void answers_free(answers *a)
{
    answers_clear(a);
    free(a);
}

static role_entry *role_find(const answers *a, const char *name)
{
    for (size_t i = 0; a && i < a->nroles; i++)
        if (strcmp(a->roles[i].name, name) == 0)
            return &a->roles[i];
    return NULL;
}

static role_entry *role_get(answers *a, const char *name)
{
    role_entry *r = role_find(a, name);
    if (r)
        return r;
    a->roles = xrealloc(a->roles, (a->nroles + 1) * sizeof *a->roles);
    r = &a->roles[a->nroles++];
    memset(r, 0, sizeof *r);
    r->name = xstrdup(name);
    return r;
}

static policy_entry *policy_find(const answers *a, const char *arn)
{
    for (size_t i = 0; a && i < a->npolicies; i++)
        if (strcmp(a->policies[i].arn, arn) == 0)
            return &a->policies[i];
    return NULL;
}

static policy_entry *policy_get(answers *a, const char *arn)
{
    policy_entry *p = policy_find(a, arn);
    if (p)
        return p;
    a->policies = xrealloc(a->policies, (a->npolicies + 1) * sizeof *a->policies);
    p = &a->policies[a->npolicies++];
    memset(p, 0, sizeof *p);
    p->arn = xstrdup(arn);
    return p;
}

/* ---- reads through the store ---- */

status_t answers_identity(answers *a, aws_client *aws, sts_identity *out, sc_error *err)
{
    if (a && a->have_identity) {
        identity_copy(out, &a->identity);
        return ST_OK;
    }
    status_t st = sts_get_caller_identity(aws, out, err);
    if (st == ST_OK)
        answers_set_identity(a, out);
    return st;
}

status_t answers_role_policies(answers *a, aws_client *aws, const char *role,
                               iam_attached_policies *out, sc_error *err)
{
    role_entry *r = role_find(a, role);
    if (r && r->missing.set)
        return give_missing(&r->missing, err);
    if (r && r->have_policies) {
        policies_copy(out, &r->policies);
        return ST_OK;
    }
    status_t st = iam_list_attached_role_policies(aws, role, out, err);
    if (!a)
        return st;
    r = role_get(a, role);
    if (st == ST_OK) {
        iam_attached_policies_free(&r->policies);
        policies_copy(&r->policies, out);
        r->have_policies = 1;
    } else {
        keep_missing(&r->missing, err);
    }
    return st;
}

status_t answers_role(answers *a, aws_client *aws, const char *role, iam_role *out, sc_error *err)
{
    role_entry *r = role_find(a, role);
    if (r && r->missing.set)
        return give_missing(&r->missing, err);
    if (r && r->have_role) {
        role_copy(out, &r->role);
        return ST_OK;
    }
    status_t st = iam_get_role(aws, role, out, err);
    if (!a)
        return st;
    r = role_get(a, role);
    if (st == ST_OK) {
        role_copy(&r->role, out);
        r->have_role = 1;
    } else {
        keep_missing(&r->missing, err);
    }
    return st;
}

status_t answers_policy(answers *a, aws_client *aws, const char *arn, iam_policy *out,
                        sc_error *err)
{
    policy_entry *p = policy_find(a, arn);
    if (p && p->missing.set)
        return give_missing(&p->missing, err);
    if (p && p->have) {
        policy_copy(out, &p->policy);
        return ST_OK;
    }
    status_t st = iam_get_policy(aws, arn, out, err);
    if (!a)
        return st;
    p = policy_get(a, arn);
    if (st == ST_OK) {
        policy_copy(&p->policy, out);
        p->have = 1;
    } else {
        keep_missing(&p->missing, err);
    }
    return st;
}

static void version_keep(policy_entry *p, const char *version, const char *doc)
{
    for (size_t i = 0; i < p->nversions; i++) {
        if (strcmp(p->versions[i].version, version) == 0) {
            free(p->versions[i].doc);
            p->versions[i].doc = dup_or_null(doc);
            return;
        }
    }
    p->versions = xrealloc(p->versions, (p->nversions + 1) * sizeof *p->versions);
    p->versions[p->nversions++] =
        (version_entry){.version = xstrdup(version), .doc = dup_or_null(doc)};
}

status_t answers_policy_version(answers *a, aws_client *aws, const char *arn, const char *version,
                                iam_policy_version *out, sc_error *err)
{
    policy_entry *p = policy_find(a, arn);
    for (size_t i = 0; p && i < p->nversions; i++) {
        if (strcmp(p->versions[i].version, version) == 0 && p->versions[i].doc) {
            memset(out, 0, sizeof *out);
            out->version_id = xstrdup(version);
            out->document = xstrdup(p->versions[i].doc);
            out->is_default = p->have && p->policy.default_version_id &&
                              strcmp(p->policy.default_version_id, version) == 0;
            return ST_OK;
        }
    }
    status_t st = iam_get_policy_version(aws, arn, version, out, err);
    if (st == ST_OK && a && out->document)
        version_keep(policy_get(a, arn), version, out->document);
    return st;
}

status_t answers_spot_accounts(answers *a, spot_client *spot, const char *cloud_account,
                               spot_accounts *out, sc_error *err)
{
    const char *key = cloud_account ? cloud_account : "";
    for (size_t i = 0; a && i < a->naccounts; i++) {
        if (strcmp(a->accounts[i].cloud_account, key) == 0) {
            accounts_copy(out, &a->accounts[i].list);
            return ST_OK;
        }
    }
    status_t st = spot_list_accounts(spot, cloud_account, out, err);
    if (st != ST_OK || !a)
        return st;
    a->accounts = xrealloc(a->accounts, (a->naccounts + 1) * sizeof *a->accounts);
    accounts_entry *e = &a->accounts[a->naccounts++];
    e->cloud_account = xstrdup(key);
    accounts_copy(&e->list, out);
    return ST_OK;
}

void answers_set_identity(answers *a, const sts_identity *id)
{
    if (!a)
        return;
    if (a->have_identity)
        sts_identity_free(&a->identity);
    identity_copy(&a->identity, id);
    a->have_identity = 1;
}

void answers_spot_changed(answers *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->naccounts; i++) {
        free(a->accounts[i].cloud_account);
        spot_accounts_free(&a->accounts[i].list);
    }
    free(a->accounts);
    a->accounts = NULL;
    a->naccounts = 0;
}

int answers_role_missing(const answers *a, const char *role)
{
    const role_entry *r = role_find(a, role);
    return r && r->missing.set;
}

int answers_policy_missing(const answers *a, const char *arn)
{
    const policy_entry *p = policy_find(a, arn);
    return p && p->missing.set;
}

int answers_policy_known(const answers *a, const char *arn)
{
    const policy_entry *p = policy_find(a, arn);
    return p && p->have;
}

/* ---- what this run wrote ---- */

void answers_policy_made(answers *a, const iam_policy *p, const char *doc)
{
    if (!a || !p->arn)
        return;
    policy_entry *e = policy_get(a, p->arn);
    if (e->have)
        iam_policy_free(&e->policy);
    versions_free(e);
    memset(&e->missing, 0, sizeof e->missing);
    policy_copy(&e->policy, p);
    e->have = 1;
    if (p->default_version_id)
        version_keep(e, p->default_version_id, doc);
}

void answers_policy_version_made(answers *a, const char *arn, const char *version, const char *doc)
{
    policy_entry *e = a ? policy_find(a, arn) : NULL;
    if (!e || !e->have)
        return;
    free(e->policy.default_version_id);
    e->policy.default_version_id = xstrdup(version);
    version_keep(e, version, doc);
}

void answers_role_made(answers *a, const char *name, const iam_role *r, const char *trust,
                       const char *boundary)
{
    if (!a)
        return;
    role_entry *e = role_get(a, name);
    if (e->have_role)
        iam_role_free(&e->role);
    iam_attached_policies_free(&e->policies);
    memset(&e->missing, 0, sizeof e->missing);
    role_copy(&e->role, r);
    free(e->role.trust_policy);
    e->role.trust_policy = dup_or_null(trust);
    free(e->role.boundary);
    e->role.boundary = dup_or_null(boundary);
    e->have_role = 1;
    e->have_policies = 1; /* none yet */
}

void answers_trust_set(answers *a, const char *role, const char *trust)
{
    role_entry *e = role_find(a, role);
    if (!e || !e->have_role)
        return;
    free(e->role.trust_policy);
    e->role.trust_policy = dup_or_null(trust);
}

static const char *arn_name(const char *arn)
{
    const char *slash = strrchr(arn, '/');
    return slash ? slash + 1 : arn;
}

void answers_attached(answers *a, const char *role, const char *policy_arn)
{
    role_entry *e = role_find(a, role);
    if (!e || !e->have_policies)
        return;
    iam_attached_policies *p = &e->policies;
    for (size_t i = 0; i < p->n; i++)
        if (p->arns[i] && strcmp(p->arns[i], policy_arn) == 0)
            return;
    p->names = xrealloc(p->names, (p->n + 1) * sizeof *p->names);
    p->arns = xrealloc(p->arns, (p->n + 1) * sizeof *p->arns);
    p->names[p->n] = xstrdup(arn_name(policy_arn));
    p->arns[p->n] = xstrdup(policy_arn);
    p->n++;
}

void answers_forget_role(answers *a, const char *role)
{
    role_entry *e = role_find(a, role);
    if (!e)
        return;
    size_t i = (size_t)(e - a->roles);
    role_entry_free(e);
    a->roles[i] = a->roles[--a->nroles];
}

void answers_forget_policy(answers *a, const char *arn)
{
    policy_entry *e = policy_find(a, arn);
    if (!e)
        return;
    size_t i = (size_t)(e - a->policies);
    policy_entry_free(e);
    a->policies[i] = a->policies[--a->npolicies];
}
