#include "aws/iam_tags.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam_internal.h"
#include "aws/query.h"
#include "util/xalloc.h"

void iam_tag_list_add(iam_tag_list *l, const char *key, const char *value)
{
    l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = (iam_tag){.key = xstrdup(key), .value = xstrdup(value ? value : "")};
}

void iam_tag_list_free(iam_tag_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    memset(l, 0, sizeof *l);
}

static status_t call_simple(aws_client *c, query_params *q, const char *action, sc_error *err)
{
    query_result r;
    /* Tagging, untagging and boundaries set a value: repeating one is harmless. */
    status_t st = query_call(c, AWS_IAM, action, q, QUERY_IDEMPOTENT, 1, &r, err);
    query_free(q);
    if (st == ST_OK)
        query_result_free(&r);
    return st;
}

static status_t tag_call(aws_client *c, const char *action, const char *key_name, const char *id,
                         const iam_tag *tags, size_t n, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, action);
    query_add(&q, key_name, id);
    for (size_t i = 0; i < n; i++) {
        char name[40];
        snprintf(name, sizeof name, "Tags.member.%zu.Key", i + 1);
        query_add(&q, name, tags[i].key);
        snprintf(name, sizeof name, "Tags.member.%zu.Value", i + 1);
        query_add(&q, name, tags[i].value);
    }
    return call_simple(c, &q, action, err);
}

static status_t untag_call(aws_client *c, const char *action, const char *key_name, const char *id,
                           const char *const *keys, size_t n, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, action);
    query_add(&q, key_name, id);
    for (size_t i = 0; i < n; i++) {
        char name[40];
        snprintf(name, sizeof name, "TagKeys.member.%zu", i + 1);
        query_add(&q, name, keys[i]);
    }
    return call_simple(c, &q, action, err);
}

static void take_tags(void *ctx, const xml_node *result)
{
    const xml_node *list = xml_child(result, "Tags");
    for (const xml_node *m = list ? list->children : NULL; m; m = m->next)
        if (xml_text(m, "Key"))
            iam_tag_list_add(ctx, xml_text(m, "Key"), xml_text(m, "Value"));
}

/* A List*Tags call, page after page. */
static status_t list_tags(aws_client *c, const char *action, const char *key_name, const char *id,
                          iam_tag_list *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    status_t st = iam_list_pages(c, action, key_name, id, take_tags, out, err);
    if (st != ST_OK)
        iam_tag_list_free(out);
    return st;
}

status_t iam_tag_role(aws_client *c, const char *role, const iam_tag *tags, size_t n, sc_error *err)
{
    return tag_call(c, "TagRole", "RoleName", role, tags, n, err);
}

status_t iam_untag_role(aws_client *c, const char *role, const char *const *keys, size_t n,
                        sc_error *err)
{
    return untag_call(c, "UntagRole", "RoleName", role, keys, n, err);
}

status_t iam_list_role_tags(aws_client *c, const char *role, iam_tag_list *out, sc_error *err)
{
    return list_tags(c, "ListRoleTags", "RoleName", role, out, err);
}

status_t iam_put_role_permissions_boundary(aws_client *c, const char *role, const char *policy_arn,
                                           sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "PutRolePermissionsBoundary");
    query_add(&q, "RoleName", role);
    query_add(&q, "PermissionsBoundary", policy_arn);
    return call_simple(c, &q, "PutRolePermissionsBoundary", err);
}

status_t iam_delete_role_permissions_boundary(aws_client *c, const char *role, sc_error *err)
{
    query_params q;
    query_init(&q, AWS_IAM, "DeleteRolePermissionsBoundary");
    query_add(&q, "RoleName", role);
    return call_simple(c, &q, "DeleteRolePermissionsBoundary", err);
}

status_t iam_tag_policy(aws_client *c, const char *arn, const iam_tag *tags, size_t n,
                        sc_error *err)
{
    return tag_call(c, "TagPolicy", "PolicyArn", arn, tags, n, err);
}

status_t iam_untag_policy(aws_client *c, const char *arn, const char *const *keys, size_t n,
                          sc_error *err)
{
    return untag_call(c, "UntagPolicy", "PolicyArn", arn, keys, n, err);
}

status_t iam_list_policy_tags(aws_client *c, const char *arn, iam_tag_list *out, sc_error *err)
{
    return list_tags(c, "ListPolicyTags", "PolicyArn", arn, out, err);
}
