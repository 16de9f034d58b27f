/* The company rules of a connection: the permissions boundary on the role,
 * the IAM path of the role and policies, and their tags. Checked before any
 * call, put on at create, and brought back on re-runs: only what differs is
 * changed, and only tags and a boundary this tool had set are removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/iam_rules.h"
#include "aws/iam_tags.h"
#include "engine/engine.h"
#include "util/ascii.h"
#include "util/buf.h"
#include "util/xalloc.h"

status_t eng_rules_check(const connect_options *o, sc_error *err)
{
    status_t st = ST_OK;
    if (o->role_name && o->method != CONNECT_MANUAL)
        st = iam_rules_role_name(o->role_name, err);
    if (st == ST_OK && o->policy_name && o->method != CONNECT_MANUAL)
        st = iam_rules_policy_name(o->policy_name, err);
    if (st == ST_OK && o->iam_path)
        st = iam_rules_path(o->iam_path, err);
    if (st == ST_OK)
        st = iam_rules_tags(o->tags, o->ntags, err);
    /* The partition, when given, is known before any call. */
    if (st == ST_OK && o->permissions_boundary)
        st = iam_rules_boundary(o->permissions_boundary, o->partition, err);
    if (st == ST_OK && o->method == CONNECT_MANUAL &&
        (o->permissions_boundary || o->iam_path || o->ntags))
        st = error_set(err, ST_BAD_INPUT,
                       "with the manual method the role and policy are yours: give the boundary, "
                       "path and tags in the AWS console, not to spot-connect");
    return st;
}

status_t eng_rules_open(engine *e, sc_error *err)
{
    const connect_options *o = e->o;
    if (o->permissions_boundary) {
        status_t st = iam_rules_boundary(o->permissions_boundary, e->part->name, err);
        if (st != ST_OK)
            return st;
    }
    e->path_given = o->iam_path || e->st.iam_path;
    e->iam_path = o->iam_path ? o->iam_path : e->st.iam_path ? e->st.iam_path : "/";
    iam_tag_list_free(&e->managed);
    for (size_t i = 0; i < e->st.ntags; i++)
        iam_tag_list_add(&e->managed, e->st.tags[i].key, e->st.tags[i].value);
    return ST_OK;
}

void eng_rules_free(engine *e)
{
    iam_tag_list_free(&e->managed);
}

void eng_rules_extras(const engine *e, int role, iam_extras *x)
{
    *x = (iam_extras){
        .path = strcmp(e->iam_path, "/") != 0 ? e->iam_path : NULL,
        .boundary = role ? e->o->permissions_boundary : NULL,
        .tags = e->o->tags,
        .ntags = e->o->ntags,
    };
}

static void tags_text(buf_t *b, const iam_tag *tags, size_t n)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s=%s", i ? "," : "", tags[i].key, tags[i].value);
}

char *eng_rules_plan_call(const engine *e, const char *call, int role)
{
    iam_extras x;
    eng_rules_extras(e, role, &x);
    buf_t b = BUF_INIT;
    buf_puts(&b, call);
    if (x.path)
        buf_printf(&b, " Path=%s", x.path);
    if (x.boundary)
        buf_printf(&b, " PermissionsBoundary=%s", x.boundary);
    if (x.ntags) {
        buf_puts(&b, " Tags=");
        tags_text(&b, x.tags, x.ntags);
    }
    return buf_steal(&b);
}

static void save_applied(engine *e)
{
    if (e->o->dry_run)
        return;
    state_set(&e->st.iam_path, strcmp(e->iam_path, "/") != 0 ? e->iam_path : NULL);
    state_set_tags(&e->st, e->o->tags, e->o->ntags);
}

void eng_rules_created(engine *e, int role)
{
    if (role)
        state_set(&e->st.boundary, e->o->permissions_boundary);
    save_applied(e);
}

/* ---- tags ---- */

static const iam_tag *find_tag(const iam_tag *tags, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (ascii_strcasecmp(tags[i].key, key) == 0)
            return &tags[i];
    return NULL;
}

typedef struct tag_target {
    const char *kind; /* "role" or "policy" */
    const char *id;   /* role name or policy ARN */
    status_t (*list)(aws_client *, const char *, iam_tag_list *, sc_error *);
    status_t (*tag)(aws_client *, const char *, const iam_tag *, size_t, sc_error *);
    status_t (*untag)(aws_client *, const char *, const char *const *, size_t, sc_error *);
    const char *tag_call;
    const char *untag_call;
} tag_target;

static status_t add_tags(engine *e, const tag_target *t, const iam_tag_list *have, sc_error *err)
{
    iam_tag_list set = {0};
    for (size_t i = 0; i < e->o->ntags; i++) {
        const iam_tag *h = find_tag(have->items, have->n, e->o->tags[i].key);
        if (!h || strcmp(h->value, e->o->tags[i].value) != 0)
            iam_tag_list_add(&set, e->o->tags[i].key, e->o->tags[i].value);
    }
    status_t st = ST_OK;
    buf_t b = BUF_INIT;
    tags_text(&b, set.items, set.n);
    if (set.n && !eng_plan(e, "iam", t->tag_call, buf_str(&b))) {
        st = t->tag(e->aws, t->id, set.items, set.n, err);
        if (st == ST_OK) {
            eng_progress(e, "%s %s tagged %s", t->kind, t->id, buf_str(&b));
            e->aws_changed = 1;
        }
    }
    buf_free(&b);
    iam_tag_list_free(&set);
    return st;
}

/* Tags this tool had set that the rules no longer name. */
static status_t remove_tags(engine *e, const tag_target *t, const iam_tag_list *have, sc_error *err)
{
    const char **keys = xcalloc(e->managed.n + 1, sizeof *keys);
    size_t n = 0;
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < e->managed.n; i++) {
        const char *k = e->managed.items[i].key;
        if (!find_tag(e->o->tags, e->o->ntags, k) && find_tag(have->items, have->n, k)) {
            keys[n++] = find_tag(have->items, have->n, k)->key;
            buf_printf(&b, "%s%s", n > 1 ? "," : "", k);
        }
    }
    status_t st = ST_OK;
    if (n && !eng_plan(e, "iam", t->untag_call, buf_str(&b))) {
        st = t->untag(e->aws, t->id, keys, n, err);
        if (st == ST_OK) {
            eng_progress(e, "%s %s untagged %s", t->kind, t->id, buf_str(&b));
            e->aws_changed = 1;
        }
    }
    buf_free(&b);
    free(keys);
    return st;
}

static status_t converge_tags(engine *e, const tag_target *t, sc_error *err)
{
    if (!e->o->ntags && !e->managed.n)
        return ST_OK; /* no rules, none set before: nothing to read */
    iam_tag_list have;
    status_t st = t->list(e->aws, t->id, &have, err);
    if (st != ST_OK)
        return st;
    st = add_tags(e, t, &have, err);
    if (st == ST_OK)
        st = remove_tags(e, t, &have, err);
    iam_tag_list_free(&have);
    return st;
}

/* ---- role ---- */

static status_t check_role_path(engine *e, const iam_role *r, sc_error *err)
{
    if (!e->path_given || !r->path || strcmp(r->path, e->iam_path) == 0)
        return ST_OK;
    return error_set(err, ST_BAD_INPUT,
                     "role %s exists under IAM path %s, and IAM cannot move a role to another "
                     "path (%s): use --iam-path %s, or delete the role first",
                     r->name ? r->name : e->role_name, r->path, e->iam_path, r->path);
}

static status_t converge_boundary(engine *e, const iam_role *r, sc_error *err)
{
    const char *want = e->o->permissions_boundary;
    const char *have = r->boundary;
    status_t st = ST_OK;
    if (want && have && strcmp(want, have) == 0) {
        /* Already so: nothing to write. */
    } else if (want) {
        if (eng_plan(e, "iam", "PutRolePermissionsBoundary", want))
            return ST_OK;
        st = iam_put_role_permissions_boundary(e->aws, e->role_name, want, err);
        if (st == ST_OK) {
            eng_progress(e, "role %s now has permissions boundary %s", e->role_name, want);
            e->aws_changed = 1;
            answers_forget_role(e->ans, e->role_name);
        }
    } else if (have && e->st.boundary && strcmp(have, e->st.boundary) == 0) {
        if (eng_plan(e, "iam", "DeleteRolePermissionsBoundary", have))
            return ST_OK;
        st = iam_delete_role_permissions_boundary(e->aws, e->role_name, err);
        if (st == ST_OK) {
            eng_progress(e, "removed permissions boundary %s from role %s", have, e->role_name);
            e->aws_changed = 1;
            answers_forget_role(e->ans, e->role_name);
        }
    } else if (have) {
        eng_progress(e, "role %s keeps permissions boundary %s (not set by spot-connect)",
                     e->role_name, have);
        return ST_OK; /* not ours to record */
    }
    if (st == ST_OK && !e->o->dry_run)
        state_set(&e->st.boundary, want);
    return st;
}

status_t eng_rules_role(engine *e, const iam_role *r, sc_error *err)
{
    tag_target t = {.kind = "role",
                    .id = e->role_name,
                    .list = iam_list_role_tags,
                    .tag = iam_tag_role,
                    .untag = iam_untag_role,
                    .tag_call = "TagRole",
                    .untag_call = "UntagRole"};
    status_t st = check_role_path(e, r, err);
    if (st == ST_OK)
        st = converge_boundary(e, r, err);
    if (st == ST_OK)
        st = converge_tags(e, &t, err);
    if (st == ST_OK)
        save_applied(e);
    return st;
}

/* ---- policy ---- */

status_t eng_rules_policy(engine *e, const char *arn, sc_error *err)
{
    tag_target t = {.kind = "policy",
                    .id = arn,
                    .list = iam_list_policy_tags,
                    .tag = iam_tag_policy,
                    .untag = iam_untag_policy,
                    .tag_call = "TagPolicy",
                    .untag_call = "UntagPolicy"};
    status_t st = converge_tags(e, &t, err);
    if (st == ST_OK)
        save_applied(e);
    return st;
}

/* The path part of a policy ARN: "/" for arn:...:policy/NAME. */
static void arn_path(const char *arn, char *out, size_t len)
{
    const char *res = strstr(arn, ":policy/");
    const char *name = strrchr(arn, '/');
    if (!res || !name || name < res + 7)
        snprintf(out, len, "/");
    else
        snprintf(out, len, "%.*s", (int)(name - (res + 7) + 1), res + 7);
}

status_t eng_rules_policy_moved(engine *e, const char *old, const char *name, const char *arn,
                                sc_error *err)
{
    if (!old || strcmp(old, arn) == 0)
        return ST_OK;
    const char *old_name = strrchr(old, '/');
    if (!old_name || strcmp(old_name + 1, name) != 0)
        return ST_OK; /* another name: another policy */
    iam_policy p;
    sc_error ignored;
    if (iam_get_policy(e->aws, old, &p, &ignored) != ST_OK)
        return ST_OK; /* gone: it can be made under the new path */
    iam_policy_free(&p);
    char path[520];
    arn_path(old, path, sizeof path);
    return error_set(err, ST_BAD_INPUT,
                     "policy %s exists under IAM path %s, and IAM cannot move a policy to another "
                     "path (%s): use --iam-path %s, or delete the policy first",
                     name, path, e->iam_path, path);
}
