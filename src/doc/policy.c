/* The IAM permission policy: Spot's default (embedded) or the operator's
 * file, validated, narrowed to bundles, moved to a partition, compacted. */
#include "doc/policy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "aws/partition.h"
#include "doc/assets.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/json.h"
#include "util/xalloc.h"

/* IAM's CreatePolicy takes at most 131,072 characters including
 * whitespace, so a bigger file can never be sent. */
#define POLICY_FILE_MAX 131072
/* Documents IAM sends back: its limit with room for URL encoding. */
#define POLICY_ANSWER_MAX ((size_t)4 * POLICY_FILE_MAX)

/* The default policy, parsed once; the bundle names point into it. */
static yajl_val default_tree;
static const char **bundle_names;
static size_t bundle_total;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

/* Freed at exit so that leak checkers see a clean run (the optimiser drops
 * a global that is never read again, so LSan would report it lost). */
static void free_default(void)
{
    free(bundle_names);
    yajl_tree_free(default_tree);
    bundle_names = NULL;
    bundle_total = 0;
    default_tree = NULL;
}

static void load_default(void)
{
    char eb[128];
    default_tree = yajl_tree_parse(asset_spot_policy_json, eb, sizeof eb);
    atexit(free_default);
    yajl_val st = json_member(default_tree, "Statement");
    if (!YAJL_IS_ARRAY(st))
        return; /* unreachable with the shipped asset; the unit tests prove it */
    bundle_names = xcalloc(st->u.array.len, sizeof *bundle_names);
    for (size_t i = 0; i < st->u.array.len; i++) {
        yajl_val sid = json_member(st->u.array.values[i], "Sid");
        if (YAJL_IS_STRING(sid))
            bundle_names[bundle_total++] = sid->u.string;
    }
}

size_t policy_bundle_count(void)
{
    pthread_once(&default_once, load_default);
    return bundle_total;
}

const char *policy_bundle_name(size_t i)
{
    return i < policy_bundle_count() ? bundle_names[i] : NULL;
}

/* The console's "Customize Permissions" names, by Sid; the lines say what
 * the statement's actions allow (read from assets/spot-policy.json). */
static const struct {
    const char *sid, *title, *about;
} bundle_text[] = {
    {"OpsWorks", "OpsWorks", "read OpsWorks stacks, deregister their instances"},
    {"OverviewDashboard", "Overview dashboard", "read costs and resources for the dashboard"},
    {"OceanEks", "Ocean for EKS", "read EKS clusters and node groups"},
    {"OceanAndElastigroupBasicActions", "Ocean and Elastigroup",
     "run, scale and replace EC2 instances (core)"},
    {"ElastigroupRoute53", "Elastigroup: Route 53", "update DNS records of groups"},
    {"ElastigroupBatch", "Elastigroup: AWS Batch", "read Batch compute environments"},
    {"ElastigroupStateful", "Elastigroup: stateful", "keep volumes, snapshots and images"},
    {"ElastigroupBeanstalk", "Elastigroup: Beanstalk", "manage Elastic Beanstalk environments"},
    {"ElastigroupEmr", "Elastigroup: EMR", "manage EMR clusters"},
    {"SpotStorage", "Spot storage", "right-size EBS volumes and EFS file systems"},
    {"AccountOperativeActions", "Account operations",
     "instance profiles, service-linked roles, reads"},
    {"OceanEcs", "Ocean for ECS", "manage ECS container instances and services"},
    {"ElastigroupCodeDeploy", "Elastigroup: CodeDeploy",
     "run CodeDeploy deployments on group instances"},
    {"AccesS3forElasticBeanstalk", "S3 for Beanstalk", "the Beanstalk buckets (elasticbeanstalk*)"},
};

/* The names of bundle i, or NULL for a Sid without any (a new one). */
static int bundle_text_of(size_t i)
{
    const char *sid = policy_bundle_name(i);
    for (size_t k = 0; sid && k < sizeof bundle_text / sizeof bundle_text[0]; k++)
        if (strcmp(bundle_text[k].sid, sid) == 0)
            return (int)k;
    return -1;
}

const char *policy_bundle_title(size_t i)
{
    int k = bundle_text_of(i);
    return k >= 0 ? bundle_text[k].title : policy_bundle_name(i);
}

const char *policy_bundle_about(size_t i)
{
    int k = bundle_text_of(i);
    return k >= 0 ? bundle_text[k].about : NULL;
}

static int bundle_known(const char *name)
{
    for (size_t i = 0; i < policy_bundle_count(); i++)
        if (strcmp(bundle_names[i], name) == 0)
            return 1;
    return 0;
}

static status_t unknown_bundle(const char *name, sc_error *err)
{
    buf_t b = BUF_INIT;
    for (size_t i = 0; i < policy_bundle_count(); i++)
        buf_printf(&b, "%s%s", i ? ", " : "", bundle_names[i]);
    error_set(err, ST_BAD_INPUT, "unknown bundle '%.64s'; the bundles are: %s", name, buf_str(&b));
    buf_free(&b);
    return ST_BAD_INPUT;
}

static status_t check_bundles(const policy_options *opt, const partition_info *p, sc_error *err)
{
    if (!opt->bundles)
        return ST_OK;
    /* Spot's console offers no "Customize Permissions" there (spot-api.md §5). */
    if (strcmp(p->name, "aws") != 0)
        return error_set(err, ST_BAD_INPUT,
                         "the policy cannot be customised in aws-us-gov/aws-cn (full policy only)");
    /* Bundles are Sids of Spot's policy; another document has other Sids. */
    if (opt->policy_file)
        return error_set(err, ST_BAD_INPUT,
                         "bundles select from Spot's default policy, not from a policy file");
    if (opt->nbundles == 0)
        return error_set(err, ST_BAD_INPUT, "no bundle selected");
    for (size_t i = 0; i < opt->nbundles; i++)
        if (!bundle_known(opt->bundles[i]))
            return unknown_bundle(opt->bundles[i], err);
    return ST_OK;
}

/* Text to tree, with a reason naming the line when it is not JSON. */
static status_t parse_text(const char *text, size_t len, const char *what, yajl_val *root,
                           sc_error *err)
{
    if (strspn(text, " \t\r\n") == len)
        return error_set(err, ST_BAD_INPUT, "%s: empty, not a JSON policy", what);
    sc_error why = {.status = ST_OK};
    if (json_parse(text, len, POLICY_FILE_MAX, root, &why) != ST_OK)
        return error_set(err, ST_BAD_INPUT, "%s: not JSON at %s", what, why.message);
    return ST_OK;
}

static status_t load_file(const char *path, char **what, yajl_val *root, sc_error *err)
{
    buf_t b = BUF_INIT;
    buf_printf(&b, "policy file '%s'", path);
    *what = buf_steal(&b);
    char *text = NULL;
    size_t len = 0;
    status_t st = file_read(path, *what, POLICY_FILE_MAX, 0, ST_IO, &text, &len, err);
    if (st != ST_OK)
        return st;
    st = parse_text(text, len, *what, root, err);
    free(text);
    return st;
}

static status_t check_statements(yajl_val st, const char *what, sc_error *err)
{
    if (!st)
        return error_set(err, ST_BAD_INPUT, "%s: no \"Statement\"", what);
    if (YAJL_IS_OBJECT(st)) /* IAM accepts a single statement without a list */
        return ST_OK;
    if (!YAJL_IS_ARRAY(st))
        return error_set(err, ST_BAD_INPUT, "%s: \"Statement\" is not a list of statements", what);
    if (st->u.array.len == 0)
        return error_set(err, ST_BAD_INPUT, "%s: \"Statement\" is empty", what);
    for (size_t i = 0; i < st->u.array.len; i++)
        if (!YAJL_IS_OBJECT(st->u.array.values[i]))
            return error_set(err, ST_BAD_INPUT, "%s: statement %zu is not an object", what, i + 1);
    return ST_OK;
}

static status_t validate(yajl_val root, const char *what, sc_error *err)
{
    if (!YAJL_IS_OBJECT(root))
        return error_set(err, ST_BAD_INPUT, "%s: not a JSON object", what);
    yajl_val v = json_member(root, "Version");
    if (!v)
        return error_set(err, ST_BAD_INPUT, "%s: no \"Version\"", what);
    /* The only two policy language versions IAM knows. */
    if (!YAJL_IS_STRING(v) ||
        (strcmp(v->u.string, "2012-10-17") != 0 && strcmp(v->u.string, "2008-10-17") != 0))
        return error_set(err, ST_BAD_INPUT,
                         "%s: \"Version\" must be \"2012-10-17\" (or \"2008-10-17\")", what);
    return check_statements(json_member(root, "Statement"), what, err);
}

static int selected(yajl_val statement, const policy_options *opt)
{
    yajl_val sid = json_member(statement, "Sid");
    if (!YAJL_IS_STRING(sid))
        return 0;
    for (size_t i = 0; i < opt->nbundles; i++)
        if (strcmp(sid->u.string, opt->bundles[i]) == 0)
            return 1;
    return 0;
}

/* Drops the statements not chosen, freeing each: yajl_tree_free only frees
 * the first len values of an array. */
static void select_bundles(yajl_val root, const policy_options *opt)
{
    yajl_val st = json_member(root, "Statement");
    size_t kept = 0;
    for (size_t i = 0; i < st->u.array.len; i++) {
        yajl_val s = st->u.array.values[i];
        if (selected(s, opt))
            st->u.array.values[kept++] = s;
        else
            yajl_tree_free(s);
    }
    st->u.array.len = kept;
}

/* Every string value "arn:aws:..." becomes "<prefix>..."; keys stay. The
 * tree's strings come from malloc, so a replacement can take their place. */
static void rewrite_arns(yajl_val v, const char *prefix)
{
    static const char from[] = "arn:aws:";
    if (YAJL_IS_STRING(v) && strncmp(v->u.string, from, sizeof from - 1) == 0) {
        buf_t b = BUF_INIT;
        buf_printf(&b, "%s%s", prefix, v->u.string + sizeof from - 1);
        free(v->u.string);
        v->u.string = buf_steal(&b);
    } else if (YAJL_IS_OBJECT(v)) {
        for (size_t i = 0; i < v->u.object.len; i++)
            rewrite_arns(v->u.object.values[i], prefix);
    } else if (YAJL_IS_ARRAY(v)) {
        for (size_t i = 0; i < v->u.array.len; i++)
            rewrite_arns(v->u.array.values[i], prefix);
    }
}

static status_t compact_checked(yajl_val root, const char *what, int whole, char **json,
                                sc_error *err)
{
    char *text = json_val_text(root, 0);
    if (!text)
        return error_set(err, ST_BAD_INPUT, "%s: cannot be written back as JSON", what);
    size_t size = policy_size(text);
    if (!whole && size > POLICY_MAX_CHARS) {
        free(text);
        return error_set(err, ST_BAD_INPUT,
                         "%s: %zu characters without whitespace, over IAM's limit of %d", what,
                         size, POLICY_MAX_CHARS);
    }
    *json = text;
    return ST_OK;
}

static status_t load(const policy_options *opt, char **what, yajl_val *root, sc_error *err)
{
    if (opt->policy_file)
        return load_file(opt->policy_file, what, root, err);
    *what = xstrdup("the built-in policy");
    return parse_text(asset_spot_policy_json, asset_spot_policy_json_len, *what, root, err);
}

static status_t build(const policy_options *opt, int whole, char **json, sc_error *err)
{
    static const policy_options defaults;
    opt = opt ? opt : &defaults;
    *json = NULL;
    const char *pname = opt->partition ? opt->partition : "aws";
    const partition_info *p = partition_by_name(pname);
    if (!p)
        return error_set(err, ST_BAD_INPUT, "unknown partition '%.32s' (aws, aws-us-gov or aws-cn)",
                         pname);
    status_t st = check_bundles(opt, p, err);
    if (st != ST_OK)
        return st;
    char *what = NULL;
    yajl_val root = NULL;
    st = load(opt, &what, &root, err);
    if (st == ST_OK)
        st = validate(root, what, err);
    if (st == ST_OK) {
        if (opt->bundles)
            select_bundles(root, opt);
        rewrite_arns(root, p->arn_prefix);
        st = compact_checked(root, what, whole, json, err);
    }
    yajl_tree_free(root);
    free(what);
    return st;
}

status_t policy_build(const policy_options *opt, char **json, sc_error *err)
{
    return build(opt, 0, json, err);
}

status_t policy_build_whole(const policy_options *opt, char **json, sc_error *err)
{
    return build(opt, 1, json, err);
}

char *policy_pretty(const char *json)
{
    if (!json)
        return NULL;
    yajl_val root = NULL;
    sc_error ignored;
    json_parse(json, strlen(json), POLICY_ANSWER_MAX, &root, &ignored);
    char *text = root ? json_val_text(root, 1) : NULL;
    yajl_tree_free(root);
    /* Not JSON (no caller should pass that): show it as it is. */
    return text ? text : xstrdup(json);
}

/* IAM counts a policy's size "without whitespace" but does not say how it
 * treats whitespace inside string values. We count every character inside
 * strings (escapes as written, UTF-8 sequences as one character) and skip
 * JSON whitespace only between tokens: that can only over-count, so a
 * document we accept is never refused by IAM for its size. For compact text
 * this is simply its length in characters. */
size_t policy_size(const char *json)
{
    size_t n = 0;
    int in_string = 0;
    for (const unsigned char *s = (const unsigned char *)json; *s; s++) {
        if (!in_string && strchr(" \t\r\n", *s))
            continue;
        if ((*s & 0xC0) != 0x80) /* not a UTF-8 continuation byte */
            n++;
        if (in_string && *s == '\\' && s[1]) {
            n += (s[1] & 0xC0) != 0x80;
            s++;
        } else if (*s == '"') {
            in_string = !in_string;
        }
    }
    return n;
}

int policy_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    yajl_val va = NULL, vb = NULL;
    sc_error ignored;
    if (json_parse(a, strlen(a), POLICY_ANSWER_MAX, &va, &ignored) == ST_OK)
        json_parse(b, strlen(b), POLICY_ANSWER_MAX, &vb, &ignored);
    int same = va && vb && json_val_equal(va, vb);
    yajl_tree_free(va);
    yajl_tree_free(vb);
    return same;
}
