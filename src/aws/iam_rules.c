#include "aws/iam_rules.h"

#include <string.h>

#include "aws/partition.h"
#include "util/ascii.h"
#include "util/xalloc.h"

#define SHOWN 64 /* bytes of a value quoted in a message */

/* [\w+=,.@-]: IAM's characters for role and policy names. */
static int name_char(int c)
{
    return ascii_isalnum(c) || strchr("_+=,.@-", c) != NULL;
}

static status_t check_name(const char *what, const char *name, size_t max, sc_error *err)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > max)
        return error_set(err, ST_BAD_INPUT, "IAM %s names are 1 to %zu characters ('%.*s' has %zu)",
                         what, max, SHOWN, name ? name : "", n);
    for (size_t i = 0; i < n; i++)
        if (!name_char((unsigned char)name[i]))
            return error_set(err, ST_BAD_INPUT,
                             "IAM %s names hold only letters, digits and +=,.@_- ('%.*s')", what,
                             SHOWN, name);
    return ST_OK;
}

status_t iam_rules_role_name(const char *name, sc_error *err)
{
    return check_name("role", name, 64, err);
}

status_t iam_rules_policy_name(const char *name, sc_error *err)
{
    return check_name("policy", name, 128, err);
}

status_t iam_rules_path(const char *path, sc_error *err)
{
    size_t n = path ? strlen(path) : 0;
    if (n == 0 || n > 512)
        return error_set(err, ST_BAD_INPUT, "an IAM path is 1 to 512 characters (this one has %zu)",
                         n);
    if (path[0] != '/' || path[n - 1] != '/')
        return error_set(err, ST_BAD_INPUT,
                         "an IAM path starts and ends with '/', like /spot/ ('%.*s')", SHOWN, path);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x21 || c > 0x7E)
            return error_set(err, ST_BAD_INPUT,
                             "an IAM path holds only printable ASCII without spaces (0x21-0x7E)");
    }
    return ST_OK;
}

/* One character of a tag: its length in bytes (UTF-8), or 0 when IAM
 * refuses it. Beyond ASCII, letters of other scripts are allowed as IAM
 * allows them; controls (C1) and broken UTF-8 are not. */
static size_t tag_char(const unsigned char *s)
{
    if (*s < 0x80)
        return ascii_isalnum(*s) || strchr(" _.:/=+-@", *s) ? 1 : 0;
    size_t len = (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3 : (*s & 0xF8) == 0xF0 ? 4 : 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if (len == 2 && (*s < 0xC2 || (*s == 0xC2 && s[1] < 0xA0)))
        return 0; /* overlong or a C1 control */
    return len;
}

/* The length in characters, or -1 for a character IAM refuses. */
static long tag_length(const char *text)
{
    long n = 0;
    for (const unsigned char *s = (const unsigned char *)text; *s; n++) {
        size_t len = tag_char(s);
        if (!len)
            return -1;
        s += len;
    }
    return n;
}

static status_t bad_chars(const char *what, const char *key, sc_error *err)
{
    return error_set(err, ST_BAD_INPUT,
                     "tag %s of '%.*s': IAM allows only letters, digits, spaces and _.:/=+-@", what,
                     SHOWN, key);
}

status_t iam_rules_tag(const char *key, const char *value, sc_error *err)
{
    key = key ? key : "";
    value = value ? value : "";
    long k = tag_length(key);
    if (k < 0)
        return bad_chars("key", key, err);
    if (k == 0 || k > 128)
        return error_set(err, ST_BAD_INPUT, "tag key '%.*s': IAM tag keys are 1 to 128 characters",
                         SHOWN, key);
    if (ascii_strncasecmp(key, "aws:", 4) == 0)
        return error_set(err, ST_BAD_INPUT,
                         "tag key '%.*s': keys starting with 'aws:' are reserved for AWS", SHOWN,
                         key);
    long v = tag_length(value);
    if (v < 0)
        return bad_chars("value", key, err);
    if (v > 256)
        return error_set(err, ST_BAD_INPUT,
                         "tag value of '%.*s': IAM tag values are 0 to 256 characters", SHOWN, key);
    return ST_OK;
}

status_t iam_rules_tags(const iam_tag *tags, size_t n, sc_error *err)
{
    if (n > IAM_RULES_MAX_TAGS)
        return error_set(err, ST_BAD_INPUT,
                         "%zu tags: IAM allows at most %d tags on a role or policy", n,
                         IAM_RULES_MAX_TAGS);
    for (size_t i = 0; i < n; i++) {
        status_t st = iam_rules_tag(tags[i].key, tags[i].value, err);
        if (st != ST_OK)
            return st;
        for (size_t j = 0; j < i; j++)
            if (ascii_strcasecmp(tags[j].key, tags[i].key) == 0)
                return error_set(err, ST_BAD_INPUT,
                                 "tag key '%.*s' is given twice (IAM tag keys are unique, "
                                 "without regard to case)",
                                 SHOWN, tags[i].key);
    }
    return ST_OK;
}

/* ACCOUNT is 12 digits, or "aws" for AWS managed policies. */
static int account_ok(const char *s, size_t n)
{
    if (n == 3 && strncmp(s, "aws", 3) == 0)
        return 1;
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ascii_isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* [PATH/]NAME after "policy/": a path of printable ASCII, a policy name. */
static int policy_resource_ok(const char *res)
{
    const char *name = strrchr(res, '/');
    name = name ? name + 1 : res;
    for (const char *c = res; c < name; c++)
        if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7E)
            return 0;
    sc_error ignored;
    return iam_rules_policy_name(name, &ignored) == ST_OK;
}

status_t iam_rules_boundary(const char *arn, const char *partition, sc_error *err)
{
    const char *form = "a permissions boundary is a managed policy's ARN, "
                       "arn:PARTITION:iam::ACCOUNT:policy/NAME";
    const partition_info *p = arn ? partition_for_arn(arn) : NULL;
    if (!p)
        return error_set(err, ST_BAD_INPUT, "%s ('%.*s')", form, SHOWN, arn ? arn : "");
    const char *rest = arn + strlen(p->arn_prefix);
    const char *colon = strncmp(rest, "iam::", 5) == 0 ? strchr(rest + 5, ':') : NULL;
    if (!colon || !account_ok(rest + 5, (size_t)(colon - rest - 5)) ||
        strncmp(colon + 1, "policy/", 7) != 0 || !policy_resource_ok(colon + 8) ||
        strlen(arn) > 2048)
        return error_set(err, ST_BAD_INPUT, "%s ('%.*s')", form, SHOWN, arn);
    if (partition && strcmp(partition, p->name) != 0)
        return error_set(err, ST_BAD_INPUT,
                         "the permissions boundary is in partition %s, but this connection is in "
                         "%s: a boundary must be a policy of the role's own partition",
                         p->name, partition);
    return ST_OK;
}

status_t iam_rules_parse_tag(const char *text, iam_tag *tag, sc_error *err)
{
    const char *eq = strchr(text, '=');
    if (!eq)
        return error_set(err, ST_BAD_INPUT, "a tag is KEY=VALUE ('%.*s' has no '=')", SHOWN, text);
    char *copy = xstrdup(text);
    copy[eq - text] = '\0';
    *tag = (iam_tag){.key = copy, .value = copy + (eq - text) + 1};
    return ST_OK;
}
