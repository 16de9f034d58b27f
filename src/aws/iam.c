#include "aws/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam_internal.h"
#include "aws/query.h"
#include "util/timeutil.h"
#include "util/url.h"
#include "util/xalloc.h"

int iam_is(const sc_error *err, const char *code)
{
    return err && err->status == ST_AWS && strcmp(err->code, code) == 0;
}

static char *dup_at(const xml_node *n, const char *path)
{
    const char *t = xml_text(n, path);
    return t ? xstrdup(t) : NULL;
}

/* A count from an answer; 0 when it is not a plain decimal number. */
static long iam_number(const char *s)
{
    char *end = NULL;
    long n = strtol(s, &end, 10);
    return end != s && *end == '\0' ? n : 0;
}

static status_t missing(sc_error *err, const char *action, const char *what)
{
    return error_set(err, ST_PARSE, "%s answer has no %s", action, what);
}

/* Runs a call whose answer carries nothing we need. */
static status_t call_simple(aws_client *c, query_params *q, const char *action, query_retry retry,
                            sc_error *err)
{
    query_result r;
    status_t st = query_call(c, AWS_IAM, action, q, retry, 1, &r, err);
    query_free(q);
    if (st == ST_OK)
        query_result_free(&r);
    return st;
}

/* ---- policies ---- */

static status_t read_policy(const xml_node *n, const char *action, iam_policy *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    if (!n || !xml_text(n, "Arn"))
        return missing(err, action, "Policy");
    out->name = dup_at(n, "PolicyName");
    out->id = dup_at(n, "PolicyId");
    out->arn = dup_at(n, "Arn");
    out->path = dup_at(n, "Path");
    out->default_version_id = dup_at(n, "DefaultVersionId");
    const char *count = xml_text(n, "AttachmentCount");
    out->attachment_count = count ? iam_number(count) : 0;
    return ST_OK;
}

static status_t policy_call(aws_client *c, query_params *q, const char *action, query_retry retry,
                            iam_policy *out, sc_error *err)
{
    query_result r;
    status_t st = query_call(c, AWS_IAM, action, q, retry, 1, &r, err);
    query_free(q);
    if (st != ST_OK)
        return st;
    st = read_policy(xml_child(r.result, "Policy"), action, out, err);
    query_result_free(&r);
    return st;
}

/* Path, PermissionsBoundary and Tags.member.N of a create call. */
static void add_extras(query_params *q, const iam_extras *x)
{
    if (!x)
        return;
    if (x->path)
        query_add(q, "Path", x->path);
    if (x->boundary)
        query_add(q, "PermissionsBoundary", x->boundary);
    for (size_t i = 0; i < x->ntags; i++) {
        char name[40];
        snprintf(name, sizeof name, "Tags.member.%zu.Key", i + 1);
        query_add(q, name, x->tags[i].key);
        snprintf(name, sizeof name, "Tags.member.%zu.Value", i + 1);
        query_add(q, name, x->tags[i].value);
    }
}

status_t iam_create_policy(aws_client *c, const char *name, const char *document,
                           const char *description, iam_policy *out, sc_error *err)
{
    return iam_create_policy_with(c, name, document, description, NULL, out, err);
}

status_t iam_create_policy_with(aws_client *c, const char *name, const char *document,
                                const char *description, const iam_extras *x, iam_policy *out,
                                sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "CreatePolicy");
    query_add(&q, "PolicyName", name);
    query_add(&q, "PolicyDocument", document);
    if (description)
        query_add(&q, "Description", description);
    add_extras(&q, x);
    return policy_call(c, &q, "CreatePolicy", QUERY_UNIQUE_NAME, out, err);
}

status_t iam_get_policy(aws_client *c, const char *arn, iam_policy *out, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "GetPolicy");
    query_add(&q, "PolicyArn", arn);
    return policy_call(c, &q, "GetPolicy", QUERY_IDEMPOTENT, out, err);
}

status_t iam_delete_policy(aws_client *c, const char *arn, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "DeletePolicy");
    query_add(&q, "PolicyArn", arn);
    return call_simple(c, &q, "DeletePolicy", QUERY_IDEMPOTENT, err);
}

void iam_policy_free(iam_policy *p)
{
    free(p->name);
    free(p->id);
    free(p->arn);
    free(p->path);
    free(p->default_version_id);
    memset(p, 0, sizeof *p);
}

/* ---- policy versions ---- */

static void read_version(const xml_node *n, iam_policy_version *out)
{
    memset(out, 0, sizeof *out);
    out->version_id = dup_at(n, "VersionId");
    const char *def = xml_text(n, "IsDefaultVersion");
    out->is_default = def && strcmp(def, "true") == 0;
    const char *doc = xml_text(n, "Document");
    out->document = doc && *doc ? url_decode_policy_document(doc) : NULL;
    const char *date = xml_text(n, "CreateDate");
    if (!date || time_parse_iso8601(date, &out->create_date) != 0)
        out->create_date = 0;
}

static status_t version_call(aws_client *c, query_params *q, const char *action, query_retry retry,
                             iam_policy_version *out, sc_error *err)
{
    query_result r;
    status_t st = query_call(c, AWS_IAM, action, q, retry, 1, &r, err);
    query_free(q);
    if (st != ST_OK)
        return st;
    const xml_node *n = xml_child(r.result, "PolicyVersion");
    if (n && xml_text(n, "VersionId"))
        read_version(n, out);
    else
        st = missing(err, action, "PolicyVersion");
    query_result_free(&r);
    return st;
}

status_t iam_get_policy_version(aws_client *c, const char *arn, const char *version_id,
                                iam_policy_version *out, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "GetPolicyVersion");
    query_add(&q, "PolicyArn", arn);
    query_add(&q, "VersionId", version_id);
    return version_call(c, &q, "GetPolicyVersion", QUERY_IDEMPOTENT, out, err);
}

status_t iam_create_policy_version(aws_client *c, const char *arn, const char *document,
                                   int set_as_default, iam_policy_version *out, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "CreatePolicyVersion");
    query_add(&q, "PolicyArn", arn);
    query_add(&q, "PolicyDocument", document);
    if (set_as_default)
        query_add(&q, "SetAsDefault", "true");
    return version_call(c, &q, "CreatePolicyVersion", QUERY_NOT_IDEMPOTENT, out, err);
}

static void versions_append(iam_policy_versions *vs, const xml_node *list)
{
    for (const xml_node *m = list ? list->children : NULL; m; m = m->next) {
        vs->items = xrealloc(vs->items, (vs->n + 1) * sizeof *vs->items);
        read_version(m, &vs->items[vs->n++]);
    }
}

status_t iam_list_pages(aws_client *c, const char *action, const char *key, const char *value,
                        void (*take)(void *, const xml_node *), void *ctx, sc_error *err)
{
    char *marker = NULL;
    status_t st;
    do {
        query_params q;
        query_result r;
        query_init(&q, AWS_IAM, action);
        if (key) /* ListRoles takes no key */
            query_add(&q, key, value);
        if (marker)
            query_add(&q, "Marker", marker);
        free(marker);
        marker = NULL;
        st = query_call(c, AWS_IAM, action, &q, QUERY_IDEMPOTENT, 1, &r, err);
        query_free(&q);
        if (st != ST_OK)
            break;
        take(ctx, r.result);
        const char *truncated = query_text(&r, "IsTruncated");
        if (truncated && strcmp(truncated, "true") == 0)
            marker = dup_at(r.result, "Marker");
        query_result_free(&r);
    } while (marker);
    return st;
}

static void take_versions(void *ctx, const xml_node *result)
{
    versions_append(ctx, xml_child(result, "Versions"));
}

status_t iam_list_policy_versions(aws_client *c, const char *arn, iam_policy_versions *out,
                                  sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st =
        iam_list_pages(c, "ListPolicyVersions", "PolicyArn", arn, take_versions, out, err);
    if (st != ST_OK)
        iam_policy_versions_free(out);
    return st;
}

status_t iam_delete_policy_version(aws_client *c, const char *arn, const char *version_id,
                                   sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "DeletePolicyVersion");
    query_add(&q, "PolicyArn", arn);
    query_add(&q, "VersionId", version_id);
    return call_simple(c, &q, "DeletePolicyVersion", QUERY_IDEMPOTENT, err);
}

void iam_policy_version_free(iam_policy_version *v)
{
    free(v->version_id);
    free(v->document);
    memset(v, 0, sizeof *v);
}

void iam_policy_versions_free(iam_policy_versions *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        iam_policy_version_free(&vs->items[i]);
    free(vs->items);
    memset(vs, 0, sizeof *vs);
}

/* ---- roles ---- */

static void read_role(const xml_node *n, iam_role *out)
{
    out->name = dup_at(n, "RoleName");
    out->id = dup_at(n, "RoleId");
    out->arn = dup_at(n, "Arn");
    out->path = dup_at(n, "Path");
    const char *trust = xml_text(n, "AssumeRolePolicyDocument");
    out->trust_policy = trust ? url_decode_policy_document(trust) : NULL;
    const char *msd = xml_text(n, "MaxSessionDuration");
    out->max_session_duration = msd ? iam_number(msd) : 0;
    out->boundary = dup_at(n, "PermissionsBoundary/PermissionsBoundaryArn");
}

static status_t role_call(aws_client *c, query_params *q, const char *action, query_retry retry,
                          iam_role *out, sc_error *err)
{
    query_result r;
    memset(out, 0, sizeof *out);
    status_t st = query_call(c, AWS_IAM, action, q, retry, 1, &r, err);
    query_free(q);
    if (st != ST_OK)
        return st;
    const xml_node *n = xml_child(r.result, "Role");
    if (!n || !xml_text(n, "Arn")) {
        query_result_free(&r);
        return missing(err, action, "Role");
    }
    read_role(n, out);
    query_result_free(&r);
    return ST_OK;
}

status_t iam_create_role(aws_client *c, const char *name, const char *trust_policy,
                         const char *description, iam_role *out, sc_error *err)
{
    return iam_create_role_with(c, name, trust_policy, description, NULL, out, err);
}

status_t iam_create_role_with(aws_client *c, const char *name, const char *trust_policy,
                              const char *description, const iam_extras *x, iam_role *out,
                              sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "CreateRole");
    query_add(&q, "RoleName", name);
    query_add(&q, "AssumeRolePolicyDocument", trust_policy);
    if (description)
        query_add(&q, "Description", description);
    add_extras(&q, x);
    return role_call(c, &q, "CreateRole", QUERY_UNIQUE_NAME, out, err);
}

status_t iam_get_role(aws_client *c, const char *name, iam_role *out, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "GetRole");
    query_add(&q, "RoleName", name);
    return role_call(c, &q, "GetRole", QUERY_IDEMPOTENT, out, err);
}

status_t iam_update_assume_role_policy(aws_client *c, const char *name, const char *trust_policy,
                                       sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "UpdateAssumeRolePolicy");
    query_add(&q, "RoleName", name);
    query_add(&q, "PolicyDocument", trust_policy);
    return call_simple(c, &q, "UpdateAssumeRolePolicy", QUERY_IDEMPOTENT, err);
}

status_t iam_delete_role(aws_client *c, const char *name, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "DeleteRole");
    query_add(&q, "RoleName", name);
    return call_simple(c, &q, "DeleteRole", QUERY_IDEMPOTENT, err);
}

void iam_role_free(iam_role *r)
{
    free(r->name);
    free(r->id);
    free(r->arn);
    free(r->path);
    free(r->trust_policy);
    free(r->boundary);
    memset(r, 0, sizeof *r);
}

/* ---- attachments ---- */

static status_t attachment_call(aws_client *c, const char *action, const char *role,
                                const char *policy_arn, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, action);
    query_add(&q, "RoleName", role);
    query_add(&q, "PolicyArn", policy_arn);
    return call_simple(c, &q, action, QUERY_IDEMPOTENT, err);
}

status_t iam_attach_role_policy(aws_client *c, const char *role, const char *policy_arn,
                                sc_error *err)
{
    return attachment_call(c, "AttachRolePolicy", role, policy_arn, err);
}

status_t iam_detach_role_policy(aws_client *c, const char *role, const char *policy_arn,
                                sc_error *err)
{
    return attachment_call(c, "DetachRolePolicy", role, policy_arn, err);
}

static void take_attached(void *ctx, const xml_node *result)
{
    iam_attached_policies *a = ctx;
    const xml_node *list = xml_child(result, "AttachedPolicies");
    for (const xml_node *m = list ? list->children : NULL; m; m = m->next) {
        a->names = xrealloc(a->names, (a->n + 1) * sizeof *a->names);
        a->arns = xrealloc(a->arns, (a->n + 1) * sizeof *a->arns);
        a->names[a->n] = dup_at(m, "PolicyName");
        a->arns[a->n] = dup_at(m, "PolicyArn");
        a->n++;
    }
}

status_t iam_list_attached_role_policies(aws_client *c, const char *role,
                                         iam_attached_policies *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st =
        iam_list_pages(c, "ListAttachedRolePolicies", "RoleName", role, take_attached, out, err);
    if (st != ST_OK)
        iam_attached_policies_free(out);
    return st;
}

void iam_attached_policies_free(iam_attached_policies *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->arns[i]);
    }
    free(a->names);
    free(a->arns);
    memset(a, 0, sizeof *a);
}

static void take_roles(void *ctx, const xml_node *result)
{
    iam_roles *rs = ctx;
    const xml_node *list = xml_child(result, "Roles");
    for (const xml_node *m = list ? list->children : NULL; m; m = m->next) {
        if (!xml_text(m, "Arn"))
            continue;
        rs->items = xrealloc(rs->items, (rs->n + 1) * sizeof *rs->items);
        memset(&rs->items[rs->n], 0, sizeof *rs->items);
        read_role(m, &rs->items[rs->n++]);
    }
}

status_t iam_list_roles(aws_client *c, iam_roles *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st = iam_list_pages(c, "ListRoles", NULL, NULL, take_roles, out, err);
    if (st != ST_OK)
        iam_roles_free(out);
    return st;
}

void iam_roles_free(iam_roles *rs)
{
    for (size_t i = 0; i < rs->n; i++)
        iam_role_free(&rs->items[i]);
    free(rs->items);
    memset(rs, 0, sizeof *rs);
}
