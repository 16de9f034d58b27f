/* The role's trust policy: Spot's account may assume it when it presents
 * the External ID Spot generated for this Spot account. */
#include "doc/trust.h"

#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "aws/partition.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xalloc.h"

/* AWS's limits for sts:ExternalId (AssumeRole's ExternalId parameter). */
#define EXTERNAL_ID_MIN 2
#define EXTERNAL_ID_MAX 1224
/* A trust policy IAM sends back is at most a few KiB. */
#define TRUST_ANSWER_MAX ((size_t)1024 * 1024)

static const partition_info *known_partition(const char *name, sc_error *err)
{
    const partition_info *p = partition_by_name(name ? name : "aws");
    if (!p)
        error_set(err, ST_BAD_INPUT, "unknown partition '%.32s' (aws, aws-us-gov or aws-cn)", name);
    return p;
}

static int is_account_id(const char *s)
{
    return s && strlen(s) == 12 && strspn(s, "0123456789") == 12;
}

status_t trust_principal(const char *partition, const char *spot_principal, char out[13],
                         sc_error *err)
{
    out[0] = '\0';
    const partition_info *p = known_partition(partition, err);
    if (!p)
        return ST_BAD_INPUT;
    if (spot_principal) {
        if (!is_account_id(spot_principal))
            return error_set(err, ST_BAD_INPUT,
                             "the Spot principal must be a 12-digit AWS account ID, not '%.32s'",
                             spot_principal);
        memcpy(out, spot_principal, 13);
        return ST_OK;
    }
    /* A role can only trust an account of its own partition, and Spot does
     * not publish its GovCloud/China accounts (spot-api.md §5). */
    if (strcmp(p->name, "aws") != 0)
        return error_set(err, ST_BAD_INPUT,
                         "Spot's AWS account in %s is not public: give the one the Spot console "
                         "shows with --spot-principal",
                         p->name);
    memcpy(out, TRUST_SPOT_ACCOUNT_AWS, 13);
    return ST_OK;
}

/* AWS: 2-1224 characters, letters, digits and _+=,.@:/- (no spaces). The ID
 * is not a secret, but it is not echoed: only its length or position. */
static status_t check_external_id(const char *id, sc_error *err)
{
    size_t n = id ? strlen(id) : 0;
    if (n < EXTERNAL_ID_MIN || n > EXTERNAL_ID_MAX)
        return error_set(err, ST_BAD_INPUT,
                         "the External ID must be %d to %d characters long (it has %zu)",
                         EXTERNAL_ID_MIN, EXTERNAL_ID_MAX, n);
    static const char allowed[] = "abcdefghijklmnopqrstuvwxyz"
                                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789_+=,.@:/-";
    size_t ok = strspn(id, allowed);
    if (ok < n)
        return error_set(err, ST_BAD_INPUT,
                         "the External ID has a character AWS does not allow at position %zu "
                         "(allowed: letters, digits and _+=,.@:/-)",
                         ok + 1);
    return ST_OK;
}

static void gen_statement(yajl_gen g, const char *principal_arn, const char *external_id)
{
    yajl_gen_map_open(g);
    json_kv_str(g, "Effect", "Allow");
    json_key(g, "Principal");
    yajl_gen_map_open(g);
    json_kv_str(g, "AWS", principal_arn);
    yajl_gen_map_close(g);
    json_kv_str(g, "Action", "sts:AssumeRole");
    json_key(g, "Condition");
    yajl_gen_map_open(g);
    json_key(g, "StringEquals");
    yajl_gen_map_open(g);
    json_kv_str(g, "sts:ExternalId", external_id);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

status_t trust_policy_build(const char *partition, const char *principal_account,
                            const char *external_id, char **json, sc_error *err)
{
    *json = NULL;
    const partition_info *p = known_partition(partition, err);
    if (!p)
        return ST_BAD_INPUT;
    if (!is_account_id(principal_account))
        return error_set(err, ST_BAD_INPUT, "the Spot principal must be a 12-digit AWS account ID");
    if (check_external_id(external_id, err) != ST_OK)
        return ST_BAD_INPUT;
    buf_t arn = BUF_INIT;
    buf_printf(&arn, "%siam::%s:root", p->arn_prefix, principal_account);
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    json_kv_str(g, "Version", "2012-10-17");
    json_key(g, "Statement");
    yajl_gen_array_open(g);
    gen_statement(g, buf_str(&arn), external_id);
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
    const unsigned char *text;
    size_t len;
    yajl_gen_get_buf(g, &text, &len);
    *json = xstrndup((const char *)text, len);
    yajl_gen_free(g);
    buf_free(&arn);
    return ST_OK;
}

/* Condition keys are case-insensitive in IAM; element names are not. A
 * list of one value means the same as the value; more is not "the" ID. */
const char *trust_statement_external_id(yajl_val statement)
{
    yajl_val cond = json_member(json_member(statement, "Condition"), "StringEquals");
    yajl_val v = json_member_nocase(cond, "sts:ExternalId");
    if (YAJL_IS_ARRAY(v) && v->u.array.len == 1)
        v = v->u.array.values[0];
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

char *trust_policy_external_id(const char *json)
{
    if (!json)
        return NULL;
    yajl_val root = NULL;
    sc_error ignored;
    json_parse(json, strlen(json), TRUST_ANSWER_MAX, &root, &ignored);
    yajl_val st = json_member(root, "Statement");
    const char *id = NULL;
    if (YAJL_IS_OBJECT(st))
        id = trust_statement_external_id(st);
    for (size_t i = 0; !id && YAJL_IS_ARRAY(st) && i < st->u.array.len; i++)
        id = trust_statement_external_id(st->u.array.values[i]);
    char *copy = id ? xstrdup(id) : NULL;
    yajl_tree_free(root);
    return copy;
}
