/* Drift: IAM read and compared with what connect would write now, with
 * the same builders (doc/policy.c, doc/policy_split.c, doc/trust.c) and
 * the answers the state saved. */
#include "engine/drift.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam.h"
#include "aws/iam_tags.h"
#include "aws/partition.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "doc/trust.h"
#include "engine/preflight.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/xalloc.h"

#define DRIFT_DOC_MAX ((size_t)256 * 1024)

/* What one check needs: the wanted documents and where things are. */
typedef struct drift_ctx {
    aws_client *aws;
    const conn_state *st;
    drift_report *r;
    const partition_info *part;
    char principal_arn[64];
    char *trust_doc;
    policy_parts parts;
    const char *path; /* the IAM path, "/" by default */
} drift_ctx;

static drift_item *add_item(drift_report *r, const char *kind, const char *name)
{
    r->items = xrealloc(r->items, (r->n + 1) * sizeof *r->items);
    drift_item *it = &r->items[r->n++];
    *it = (drift_item){.kind = xstrdup(kind), .name = xstrdup(name ? name : "")};
    return it;
}

static void set_verdict(drift_report *r, drift_item *it, drift_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_verdict(drift_report *r, drift_item *it, drift_verdict v, const char *fmt, ...)
{
    it->verdict = v;
    if (v == DRIFT_DIFFERS)
        r->drifted = 1;
    if (!fmt)
        return;
    buf_t b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(it->difference);
    it->difference = buf_steal(&b);
}

static void sids_add(drift_sids *s, const char *sid)
{
    s->items = xrealloc(s->items, (s->n + 1) * sizeof *s->items);
    s->items[s->n++] = xstrdup(sid);
}

static void sids_free(drift_sids *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->items[i]);
    free(s->items);
    memset(s, 0, sizeof *s);
}

static char *policy_arn(const drift_ctx *c, const char *account, const char *path, const char *name)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%siam::%s:policy%s%s", c->part->arn_prefix, account, path, name);
    return buf_steal(&b);
}

/* ---- the wanted documents ---- */

static status_t build_wanted(drift_ctx *c, sc_error *err)
{
    const conn_state *st = c->st;
    policy_options po = {.partition = c->part->name,
                         .bundles = (const char *const *)st->bundles,
                         .nbundles = st->nbundles,
                         .policy_file = st->policy_file};
    char *whole = NULL;
    status_t st_ = policy_build_whole(&po, &whole, err);
    if (st_ == ST_OK)
        st_ = policy_split(whole, POLICY_MAX_CHARS, &c->parts, err);
    free(whole);
    char account[13];
    if (st_ == ST_OK)
        st_ = trust_principal(c->part->name, st->spot_principal, account, err);
    if (st_ == ST_OK) {
        snprintf(c->principal_arn, sizeof c->principal_arn, "%siam::%s:root", c->part->arn_prefix,
                 account);
        st_ = trust_policy_build(c->part->name, account, st->external_id, &c->trust_doc, err);
    }
    return st_;
}

/* ---- trust ---- */

static void check_trust(drift_ctx *c, const iam_role *role)
{
    drift_item *it = add_item(c->r, "trust", role->name);
    const char *want_id = c->st->external_id;
    if (role->trust_policy && policy_equal(role->trust_policy, c->trust_doc)) {
        set_verdict(c->r, it, DRIFT_OK, NULL);
        return;
    }
    char *id = preflight_trusted_external_id(role->trust_policy, c->principal_arn);
    if (!preflight_trusts(role->trust_policy, c->principal_arn))
        set_verdict(c->r, it, DRIFT_DIFFERS,
                    "Spot's principal %s may not call sts:AssumeRole (the trust names another "
                    "principal or none)",
                    c->principal_arn);
    else if (!id)
        set_verdict(c->r, it, DRIFT_DIFFERS,
                    "Spot is trusted without the condition StringEquals sts:ExternalId %s",
                    want_id);
    else if (strcmp(id, want_id) != 0)
        set_verdict(c->r, it, DRIFT_DIFFERS, "trusts External ID %s, not %s", id, want_id);
    else
        set_verdict(c->r, it, DRIFT_DIFFERS,
                    "trusts Spot with External ID %s, but has other statements or conditions "
                    "than the trust spot-connect writes",
                    id);
    free(id);
}

/* ---- attachments ---- */

static int attached(const iam_attached_policies *a, const char *arn)
{
    for (size_t i = 0; i < a->n; i++)
        if (a->arns[i] && strcmp(a->arns[i], arn) == 0)
            return 1;
    return 0;
}

static void check_attachment(drift_ctx *c, const iam_attached_policies *a, const char *name,
                             const char *arn, const char *role)
{
    drift_item *it = add_item(c->r, "attachment", name);
    if (attached(a, arn))
        set_verdict(c->r, it, DRIFT_OK, NULL);
    else
        set_verdict(c->r, it, DRIFT_DIFFERS, "%s is not attached to role %s", arn, role);
}

static status_t check_attachments(drift_ctx *c, const char *role, sc_error *err)
{
    iam_attached_policies a;
    status_t st = iam_list_attached_role_policies(c->aws, role, &a, err);
    if (st != ST_OK)
        return st;
    for (size_t i = 0; i < c->parts.n; i++) {
        char *name = policy_part_name(c->st->policy.name, i);
        char *arn = policy_arn(c, c->st->aws_account_id, c->path, name);
        check_attachment(c, &a, name, arn, role);
        free(arn);
        free(name);
    }
    if (c->st->security_audit_attached) {
        char *arn = policy_arn(c, "aws", "/", "SecurityAudit");
        check_attachment(c, &a, "SecurityAudit", arn, role);
        free(arn);
    }
    iam_attached_policies_free(&a);
    return ST_OK;
}

/* ---- policy documents, statement by statement ---- */

static yajl_val statements_of(yajl_val root)
{
    return json_member(root, "Statement");
}

static size_t count_of(yajl_val s)
{
    return YAJL_IS_ARRAY(s) ? s->u.array.len : YAJL_IS_OBJECT(s) ? 1 : 0;
}

static yajl_val nth(yajl_val s, size_t i)
{
    return YAJL_IS_ARRAY(s) ? s->u.array.values[i] : s;
}

/* A statement's key: its Sid, or "#N" (1-based) without one. */
static void sid_of(yajl_val s, size_t i, char *out, size_t len)
{
    const char *sid = json_member_str(s, "Sid");
    if (sid)
        snprintf(out, len, "%s", sid);
    else
        snprintf(out, len, "#%zu", i + 1);
}

static yajl_val find_sid(yajl_val list, const char *key)
{
    char k[256];
    for (size_t i = 0; i < count_of(list); i++) {
        sid_of(nth(list, i), i, k, sizeof k);
        if (strcmp(k, key) == 0)
            return nth(list, i);
    }
    return NULL;
}

static void compare_statements(drift_item *it, yajl_val have, yajl_val want)
{
    char k[256];
    for (size_t i = 0; i < count_of(want); i++) {
        sid_of(nth(want, i), i, k, sizeof k);
        yajl_val h = find_sid(have, k);
        if (!h)
            sids_add(&it->missing, k);
        else if (!json_val_equal(h, nth(want, i)))
            sids_add(&it->changed, k);
    }
    for (size_t i = 0; i < count_of(have); i++) {
        sid_of(nth(have, i), i, k, sizeof k);
        if (!find_sid(want, k))
            sids_add(&it->extra, k);
    }
}

static void sid_list(buf_t *b, const char *what, const drift_sids *s, int *first)
{
    if (!s->n)
        return;
    buf_printf(b, "%s%s ", *first ? "" : "; ", what);
    for (size_t i = 0; i < s->n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", s->items[i]);
    *first = 0;
}

static void describe_statements(drift_ctx *c, drift_item *it, const char *version)
{
    buf_t b = BUF_INIT;
    int first = 1;
    sid_list(&b, "statements missing:", &it->missing, &first);
    sid_list(&b, "not spot-connect's:", &it->extra, &first);
    sid_list(&b, "changed:", &it->changed, &first);
    if (first)
        buf_puts(&b, "the document differs outside its statements");
    set_verdict(c->r, it, DRIFT_DIFFERS,
                "default version %s is not the policy spot-connect "
                "writes now: %s",
                version, buf_str(&b));
    buf_free(&b);
}

static void compare_document(drift_ctx *c, drift_item *it, const char *have, const char *want,
                             const char *version)
{
    if (have && policy_equal(have, want)) {
        set_verdict(c->r, it, DRIFT_OK, NULL);
        return;
    }
    yajl_val h = NULL, w = NULL;
    sc_error ignored;
    if (have)
        json_parse(have, strlen(have), DRIFT_DOC_MAX, &h, &ignored);
    json_parse(want, strlen(want), DRIFT_DOC_MAX, &w, &ignored);
    compare_statements(it, statements_of(h), statements_of(w));
    describe_statements(c, it, version);
    yajl_tree_free(h);
    yajl_tree_free(w);
}

static status_t check_policy(drift_ctx *c, size_t i, sc_error *err)
{
    char *name = policy_part_name(c->st->policy.name, i);
    char *arn = policy_arn(c, c->st->aws_account_id, c->path, name);
    drift_item *it = add_item(c->r, "policy", name);
    iam_policy p;
    status_t st = iam_get_policy(c->aws, arn, &p, err);
    if (st != ST_OK && iam_is(err, "NoSuchEntity")) {
        error_clear(err);
        set_verdict(c->r, it, DRIFT_DIFFERS, "policy %s does not exist%s", arn,
                    c->parts.n > 1 ? " (the policy is split into more parts now)" : "");
        st = ST_OK;
    } else if (st == ST_OK) {
        iam_policy_version v;
        st = iam_get_policy_version(c->aws, arn, p.default_version_id, &v, err);
        if (st == ST_OK) {
            compare_document(c, it, v.document, c->parts.docs[i], p.default_version_id);
            iam_policy_version_free(&v);
        }
        iam_policy_free(&p);
    }
    free(arn);
    free(name);
    return st;
}

/* Parts an earlier, larger policy needed that spot-connect made and that
 * are no more needed now: update removes them. */
static void check_surplus(drift_ctx *c)
{
    for (size_t i = c->parts.n ? c->parts.n - 1 : 0; i < c->st->nparts; i++) {
        const state_part *p = &c->st->parts[i];
        if (!p->item.arn || (!p->item.created && !p->attached))
            continue;
        drift_item *it = add_item(c->r, "policy", p->item.name);
        set_verdict(c->r, it, DRIFT_DIFFERS,
                    "%s is no longer needed: the policy fits in %zu part%s now", p->item.arn,
                    c->parts.n, c->parts.n == 1 ? "" : "s");
    }
}

/* ---- boundary and tags ---- */

static void check_boundary(drift_ctx *c, const iam_role *role)
{
    const char *want = c->st->boundary;
    if (!want)
        return; /* spot-connect set none: any boundary is the company's */
    drift_item *it = add_item(c->r, "boundary", role->name);
    if (role->boundary && strcmp(role->boundary, want) == 0)
        set_verdict(c->r, it, DRIFT_OK, NULL);
    else if (role->boundary)
        set_verdict(c->r, it, DRIFT_DIFFERS, "permissions boundary is %s, not %s", role->boundary,
                    want);
    else
        set_verdict(c->r, it, DRIFT_DIFFERS, "no permissions boundary, not %s", want);
}

static const iam_tag *find_tag(const iam_tag_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (ascii_strcasecmp(l->items[i].key, key) == 0)
            return &l->items[i];
    return NULL;
}

static void compare_tags(drift_ctx *c, drift_item *it, const iam_tag_list *have)
{
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < c->st->ntags; i++) {
        const iam_tag *want = &c->st->tags[i];
        const iam_tag *h = find_tag(have, want->key);
        if (!h)
            buf_printf(&b, "%stag %s missing", b.len ? "; " : "", want->key);
        else if (strcmp(h->value, want->value) != 0)
            buf_printf(&b, "%stag %s is '%s', not '%s'", b.len ? "; " : "", want->key, h->value,
                       want->value);
    }
    if (b.len)
        set_verdict(c->r, it, DRIFT_DIFFERS, "%s", buf_str(&b));
    else
        set_verdict(c->r, it, DRIFT_OK, NULL);
    buf_free(&b);
}

static status_t check_tags(drift_ctx *c, const char *name, const char *id,
                           status_t (*list)(aws_client *, const char *, iam_tag_list *, sc_error *),
                           sc_error *err)
{
    if (!c->st->ntags)
        return ST_OK;
    iam_tag_list have;
    status_t st = list(c->aws, id, &have, err);
    if (st != ST_OK && iam_is(err, "NoSuchEntity")) {
        error_clear(err);
        return ST_OK; /* the missing policy or role is reported already */
    }
    if (st != ST_OK)
        return st;
    drift_item *it = add_item(c->r, "tags", name);
    compare_tags(c, it, &have);
    iam_tag_list_free(&have);
    return ST_OK;
}

static status_t check_policy_tags(drift_ctx *c, sc_error *err)
{
    status_t st = ST_OK;
    for (size_t i = 0; st == ST_OK && i < c->parts.n; i++) {
        char *name = policy_part_name(c->st->policy.name, i);
        char *arn = policy_arn(c, c->st->aws_account_id, c->path, name);
        st = check_tags(c, name, arn, iam_list_policy_tags, err);
        free(arn);
        free(name);
    }
    return st;
}

/* ---- the whole check ---- */

static status_t check_role(drift_ctx *c, sc_error *err)
{
    const char *name = c->st->role.name;
    iam_role role;
    status_t st = iam_get_role(c->aws, name, &role, err);
    if (st != ST_OK && iam_is(err, "NoSuchEntity")) {
        error_clear(err);
        drift_item *it = add_item(c->r, "trust", name);
        set_verdict(c->r, it, DRIFT_DIFFERS, "role %s does not exist", name);
        return ST_OK;
    }
    if (st != ST_OK)
        return st;
    check_trust(c, &role);
    st = check_attachments(c, name, err);
    check_boundary(c, &role);
    if (st == ST_OK)
        st = check_tags(c, name, name, iam_list_role_tags, err);
    iam_role_free(&role);
    return st;
}

/* Why a connection is not compared, or NULL when it can be. */
static const char *not_comparable(const conn_state *st)
{
    if (st->method && strcmp(st->method, "manual") == 0)
        return "the role and policy of a manual connection are the operator's: roleHealth says "
               "what Spot needs";
    if (!st->method || !st->role.name || !st->policy.name || !st->external_id)
        return "the state does not record the role and policy spot-connect made";
    if (st->step < STEP_ATTACHED)
        return "the connection is not complete: run 'spot-connect connect'";
    if (!st->bundles_saved && !st->policy_file)
        return "the state does not say which policy was chosen (written by an older "
               "spot-connect): run 'spot-connect connect' with the same options once";
    return NULL;
}

status_t drift_check(aws_client *aws, const conn_state *st, drift_report *out, sc_error *err)
{
    memset(out, 0, sizeof *out);
    const char *why = not_comparable(st);
    if (why) {
        out->note = xstrdup(why);
        return ST_OK;
    }
    const partition_info *part = partition_by_name(st->partition ? st->partition : "aws");
    drift_ctx c = {.aws = aws,
                   .st = st,
                   .r = out,
                   .part = part ? part : partition_default(),
                   .path = st->iam_path ? st->iam_path : "/"};
    status_t s = build_wanted(&c, err);
    if (s != ST_OK) {
        /* The policy file gone, a bundle no longer known: said, not fatal. */
        char note[sizeof err->message + 64];
        snprintf(note, sizeof note, "the policy connect would write cannot be built: %s",
                 err->message);
        out->note = xstrdup(note);
        error_clear(err);
        s = ST_OK;
    } else {
        out->checked = 1;
        s = check_role(&c, err);
        for (size_t i = 0; s == ST_OK && i < c.parts.n; i++)
            s = check_policy(&c, i, err);
        if (s == ST_OK)
            check_surplus(&c);
        if (s == ST_OK)
            s = check_policy_tags(&c, err);
    }
    free(c.trust_doc);
    policy_parts_free(&c.parts);
    return s;
}

void drift_report_free(drift_report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        drift_item *it = &r->items[i];
        free(it->kind);
        free(it->name);
        free(it->difference);
        sids_free(&it->missing);
        sids_free(&it->extra);
        sids_free(&it->changed);
    }
    free(r->items);
    free(r->note);
    memset(r, 0, sizeof *r);
}

char *drift_item_line(const drift_item *it)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s %s: %s", it->kind, it->name,
               it->verdict == DRIFT_OK ? "ok"
               : it->difference        ? it->difference
                                       : "differs");
    return buf_steal(&b);
}
