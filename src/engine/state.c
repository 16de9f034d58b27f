#include "engine/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/file.h"
#include "util/json.h"
#include "util/private.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

#define STATE_MAX_FILE ((size_t)1024 * 1024)

static const char *const step_names[STEP__COUNT] = {
    "start", "identity", "spot-account", "external-id", "policy",
    "role",  "attached", "credentials",  "verified",
};

const char *state_step_name(state_step s)
{
    return s >= 0 && s < STEP__COUNT ? step_names[s] : "start";
}

static state_step step_from_name(const char *name)
{
    for (int i = 0; name && i < STEP__COUNT; i++)
        if (strcmp(step_names[i], name) == 0)
            return (state_step)i;
    return STEP_START;
}

char *state_dir(void)
{
    buf_t b = BUF_INIT;
    const char *xdg = env_get("XDG_STATE_HOME");
    const char *home = env_get("HOME");
    if (xdg && xdg[0] == '/')
        buf_printf(&b, "%s/spot-connect", xdg);
    else
        buf_printf(&b, "%s/.local/state/spot-connect", home ? home : ".");
    return buf_steal(&b);
}

char *state_default_path(const char *aws_account_id)
{
    char *dir = state_dir();
    buf_t b = BUF_INIT;
    buf_printf(&b, "%s/%s.json", dir, aws_account_id);
    free(dir);
    return buf_steal(&b);
}

void state_set(char **field, const char *value)
{
    char *copy = value ? xstrdup(value) : NULL;
    free(*field);
    *field = copy;
}

void state_add_version(char ***list, size_t *n, const char *version_id)
{
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = xstrdup(version_id);
}

void state_add_policy_version(conn_state *st, const char *version_id)
{
    state_add_version(&st->policy_versions, &st->npolicy_versions, version_id);
}

state_part *state_part_at(conn_state *st, size_t i)
{
    if (i >= st->nparts) {
        st->parts = xrealloc(st->parts, (i + 1) * sizeof *st->parts);
        memset(st->parts + st->nparts, 0, (i + 1 - st->nparts) * sizeof *st->parts);
        st->nparts = i + 1;
    }
    return &st->parts[i];
}

void state_parts_truncate(conn_state *st, size_t i)
{
    while (st->nparts > i) {
        state_part *p = &st->parts[--st->nparts];
        state_item_clear(&p->item);
        for (size_t k = 0; k < p->nversions; k++)
            free(p->versions[k]);
        free(p->versions);
    }
    if (st->nparts == 0) {
        free(st->parts);
        st->parts = NULL;
    }
}

static void free_bundles(conn_state *st)
{
    for (size_t i = 0; i < st->nbundles; i++)
        free(st->bundles[i]);
    free(st->bundles);
    st->bundles = NULL;
    st->nbundles = 0;
}

void state_set_bundles(conn_state *st, const char *const *bundles, size_t n)
{
    free_bundles(st);
    st->bundles = n ? xcalloc(n, sizeof *st->bundles) : NULL;
    for (size_t i = 0; i < n; i++)
        st->bundles[i] = xstrdup(bundles[i]);
    st->nbundles = n;
    st->bundles_saved = 1;
}

static void free_tags(conn_state *st)
{
    for (size_t i = 0; i < st->ntags; i++) {
        free(st->tags[i].key);
        free(st->tags[i].value);
    }
    free(st->tags);
    st->tags = NULL;
    st->ntags = 0;
}

static void add_tag(conn_state *st, const char *key, const char *value)
{
    st->tags = xrealloc(st->tags, (st->ntags + 1) * sizeof *st->tags);
    st->tags[st->ntags++] = (iam_tag){.key = xstrdup(key), .value = xstrdup(value)};
}

void state_set_tags(conn_state *st, const iam_tag *tags, size_t n)
{
    iam_tag *old = st->tags;
    size_t nold = st->ntags;
    st->tags = NULL; /* tags may point into the old list */
    st->ntags = 0;
    for (size_t i = 0; i < n; i++)
        add_tag(st, tags[i].key, tags[i].value);
    for (size_t i = 0; i < nold; i++) {
        free(old[i].key);
        free(old[i].value);
    }
    free(old);
}

void state_item_clear(state_item *it)
{
    free(it->name);
    free(it->arn);
    memset(it, 0, sizeof *it);
}

void state_free(conn_state *st)
{
    free(st->path);
    free(st->method);
    free(st->partition);
    free(st->spot_principal);
    free(st->aws_account_id);
    free(st->external_id);
    free(st->external_id_valid_until);
    state_item_clear(&st->spot_account);
    state_item_clear(&st->policy);
    state_item_clear(&st->role);
    for (size_t i = 0; i < st->npolicy_versions; i++)
        free(st->policy_versions[i]);
    free(st->policy_versions);
    free_bundles(st);
    free(st->policy_file);
    free(st->iam_path);
    free(st->boundary);
    free_tags(st);
    state_parts_truncate(st, 0);
    memset(st, 0, sizeof *st);
}

/* ---- reading ---- */

static char *get_str(yajl_val obj, const char *key)
{
    const char *v = json_member_str(obj, key);
    return v ? xstrdup(v) : NULL;
}

static int get_bool(yajl_val obj, const char *key)
{
    return YAJL_IS_TRUE(json_member(obj, key));
}

static void read_item(yajl_val root, const char *key, const char *id_key, state_item *it)
{
    yajl_val obj = json_member(root, key);
    if (!YAJL_IS_OBJECT(obj))
        return;
    it->name = get_str(obj, "name");
    it->arn = get_str(obj, id_key);
    it->created = get_bool(obj, "created");
    it->pending = get_bool(obj, "pending");
}

static void read_version_list(yajl_val obj, char ***list, size_t *n)
{
    yajl_val arr = json_member(obj, "versionsAdded");
    for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < YAJL_GET_ARRAY(arr)->len; i++)
        if (YAJL_IS_STRING(YAJL_GET_ARRAY(arr)->values[i]))
            state_add_version(list, n, YAJL_GET_STRING(YAJL_GET_ARRAY(arr)->values[i]));
}

static void read_versions(yajl_val root, conn_state *st)
{
    read_version_list(json_member(root, "policy"), &st->policy_versions, &st->npolicy_versions);
}

/* "policyParts": absent in files of one policy (and in older files). */
static void read_parts(yajl_val root, conn_state *st)
{
    yajl_val arr = json_member(root, "policyParts");
    for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val obj = YAJL_GET_ARRAY(arr)->values[i];
        if (!YAJL_IS_OBJECT(obj))
            continue;
        state_part *p = state_part_at(st, st->nparts);
        p->item.name = get_str(obj, "name");
        p->item.arn = get_str(obj, "arn");
        p->item.created = get_bool(obj, "created");
        p->item.pending = get_bool(obj, "pending");
        p->attached = get_bool(obj, "attached");
        read_version_list(obj, &p->versions, &p->nversions);
    }
}

static void read_bundles(yajl_val root, conn_state *st)
{
    yajl_val arr = json_member(root, "bundles");
    if (!YAJL_IS_ARRAY(arr))
        return; /* an older file: the choice was not saved */
    st->bundles_saved = 1;
    for (size_t i = 0; i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val v = YAJL_GET_ARRAY(arr)->values[i];
        if (!YAJL_IS_STRING(v))
            continue;
        st->bundles = xrealloc(st->bundles, (st->nbundles + 1) * sizeof *st->bundles);
        st->bundles[st->nbundles++] = xstrdup(YAJL_GET_STRING(v));
    }
}

/* "tags": [{"key": K, "value": V}, ...], in the order given. */
static void read_tags(yajl_val root, conn_state *st)
{
    yajl_val arr = json_member(root, "tags");
    for (size_t i = 0; YAJL_IS_ARRAY(arr) && i < YAJL_GET_ARRAY(arr)->len; i++) {
        yajl_val t = YAJL_GET_ARRAY(arr)->values[i];
        const char *key = json_member_str(t, "key");
        const char *value = json_member_str(t, "value");
        if (key)
            add_tag(st, key, value ? value : "");
    }
}

static void read_state(yajl_val root, conn_state *st)
{
    st->method = get_str(root, "method");
    st->partition = get_str(root, "partition");
    st->spot_principal = get_str(root, "spotPrincipal");
    st->aws_account_id = get_str(root, "awsAccountId");
    st->external_id = get_str(root, "externalId");
    st->external_id_valid_until = get_str(root, "externalIdMaxValidUntil");
    read_item(root, "spotAccount", "id", &st->spot_account);
    read_item(root, "policy", "arn", &st->policy);
    read_item(root, "role", "arn", &st->role);
    read_versions(root, st);
    read_parts(root, st);
    read_bundles(root, st);
    st->policy_file = get_str(root, "policyFile");
    st->iam_path = get_str(root, "iamPath");
    st->boundary = get_str(root, "permissionsBoundary");
    read_tags(root, st);
    st->policy_attached = get_bool(root, "policyAttached");
    st->security_audit_attached = get_bool(root, "securityAuditAttached");
    st->connected = get_bool(root, "connected");
    char *step = get_str(root, "step");
    st->step = step_from_name(step);
    free(step);
}

status_t state_load(const char *path, conn_state *st, sc_error *err)
{
    memset(st, 0, sizeof *st);
    st->path = xstrdup(path);
    char *text = NULL;
    size_t len = 0;
    buf_t shown = BUF_INIT;
    buf_printf(&shown, "state file %s", path);
    /* A link planted in a shared directory must not redirect the state. */
    status_t rd = file_read(path, buf_str(&shown), STATE_MAX_FILE,
                            FILE_MISSING_OK | FILE_NO_SYMLINK, ST_IO, &text, &len, err);
    buf_free(&shown);
    if (rd != ST_OK || !text)
        return rd;
    sc_error why = {.status = ST_OK};
    yajl_val root = NULL;
    json_parse(text, len, STATE_MAX_FILE, &root, &why);
    free(text);
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return error_set(err, ST_CONFIG,
                         "state file %s is not valid JSON (%s); move it away or use --fresh", path,
                         root ? "not an object" : why.message);
    }
    read_state(root, st);
    yajl_tree_free(root);
    return ST_OK;
}

/* ---- writing ---- */

static void write_item(yajl_gen g, const char *key, const char *id_key, const state_item *it)
{
    json_key(g, key);
    yajl_gen_map_open(g);
    json_kv_str(g, "name", it->name);
    json_kv_str(g, id_key, it->arn);
    json_kv_bool(g, "created", it->created);
    json_kv_bool(g, "pending", it->pending);
}

static void write_versions(yajl_gen g, char **versions, size_t n)
{
    json_key(g, "versionsAdded");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++)
        json_str(g, versions[i]);
    yajl_gen_array_close(g);
}

/* Only when the policy was split: a file of one policy stays as it was. */
static void write_parts(yajl_gen g, const conn_state *st)
{
    if (!st->nparts)
        return;
    json_key(g, "policyParts");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < st->nparts; i++) {
        const state_part *p = &st->parts[i];
        yajl_gen_map_open(g);
        json_kv_str(g, "name", p->item.name);
        json_kv_str(g, "arn", p->item.arn);
        json_kv_bool(g, "created", p->item.created);
        json_kv_bool(g, "pending", p->item.pending);
        write_versions(g, p->versions, p->nversions);
        json_kv_bool(g, "attached", p->attached);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
}

static void write_state(yajl_gen g, const conn_state *st)
{
    char now[21];
    time_format_iso8601(time(NULL), now);
    yajl_gen_map_open(g);
    json_kv_int(g, "version", 1);
    json_kv_str(g, "method", st->method);
    json_kv_str(g, "partition", st->partition);
    if (st->spot_principal)
        json_kv_str(g, "spotPrincipal", st->spot_principal);
    json_kv_str(g, "awsAccountId", st->aws_account_id);
    json_kv_str(g, "externalId", st->external_id);
    if (st->external_id_valid_until)
        json_kv_str(g, "externalIdMaxValidUntil", st->external_id_valid_until);
    json_kv_str(g, "step", state_step_name(st->step));
    json_kv_bool(g, "connected", st->connected);
    write_item(g, "spotAccount", "id", &st->spot_account);
    yajl_gen_map_close(g);
    write_item(g, "policy", "arn", &st->policy);
    write_versions(g, st->policy_versions, st->npolicy_versions);
    yajl_gen_map_close(g);
    write_parts(g, st);
    write_item(g, "role", "arn", &st->role);
    yajl_gen_map_close(g);
    if (st->bundles_saved) {
        json_key(g, "bundles"); /* [] = the whole policy */
        yajl_gen_array_open(g);
        for (size_t i = 0; i < st->nbundles; i++)
            json_str(g, st->bundles[i]);
        yajl_gen_array_close(g);
    }
    if (st->policy_file)
        json_kv_str(g, "policyFile", st->policy_file);
    if (st->iam_path)
        json_kv_str(g, "iamPath", st->iam_path);
    if (st->boundary)
        json_kv_str(g, "permissionsBoundary", st->boundary);
    if (st->ntags) {
        json_key(g, "tags");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < st->ntags; i++) {
            yajl_gen_map_open(g);
            json_kv_str(g, "key", st->tags[i].key);
            json_kv_str(g, "value", st->tags[i].value);
            yajl_gen_map_close(g);
        }
        yajl_gen_array_close(g);
    }
    json_kv_bool(g, "policyAttached", st->policy_attached);
    json_kv_bool(g, "securityAuditAttached", st->security_audit_attached);
    json_kv_str(g, "updatedAt", now);
    yajl_gen_map_close(g);
}

/* mkdir -p for the state directory, private to the user. */
static int make_parent_dirs(const char *path)
{
    char *dir = xstrdup(path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
            free(dir);
            return -1;
        }
        *p = '/';
    }
    free(dir);
    return 0;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The temporary file: a new name each time, created exclusively (0600, so
 * never through a planted link), beside the target so rename is atomic. */
static int open_temp(const char *path, buf_t *tmp)
{
    buf_printf(tmp, "%s.XXXXXX", path);
    return mkostemp(tmp->data, O_CLOEXEC);
}

status_t state_save(const conn_state *st, sc_error *err)
{
    if (make_parent_dirs(st->path) < 0)
        return error_set(err, ST_IO, "cannot create the directory of %s: %s", st->path,
                         strerror(errno));
    status_t checked = private_check_dir(st->path, "state file", err);
    if (checked != ST_OK)
        return checked;
    buf_t tmp = BUF_INIT;
    int fd = open_temp(st->path, &tmp);
    if (fd < 0) {
        error_set(err, ST_IO, "cannot write state file %s: %s", tmp.data, strerror(errno));
        buf_free(&tmp);
        return ST_IO;
    }
    yajl_gen g = json_gen_new(1);
    write_state(g, st);
    buf_t text = BUF_INIT;
    json_gen_text(g, &text);
    buf_putc(&text, '\n');
    int bad = write_all(fd, (const unsigned char *)text.data, text.len) < 0 || fsync(fd) < 0;
    bad |= close(fd) < 0;
    buf_free(&text);
    yajl_gen_free(g);
    if (bad || rename(tmp.data, st->path) < 0) {
        error_set(err, ST_IO, "cannot write state file %s: %s", st->path, strerror(errno));
        unlink(tmp.data);
        buf_free(&tmp);
        return ST_IO;
    }
    buf_free(&tmp);
    if (private_sync_dir(st->path) < 0)
        return error_set(err, ST_IO, "cannot sync the directory of state file %s: %s", st->path,
                         strerror(errno));
    return ST_OK;
}
