#include "wizard/rules.h"

#include <stdio.h>
#include <string.h>

#include "aws/iam_rules.h"
#include "util/ascii.h"

static const char *const partition_names[] = {"aws", "aws-us-gov", "aws-cn"};

/* Leading and trailing blanks of [s, s + n) skipped. */
static void trim(const char **s, size_t *n)
{
    while (*n && ascii_isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && ascii_isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

size_t wiz_rules_parse_tags(const char *text, iam_tag *out, size_t max, char *store,
                            size_t store_len)
{
    size_t count = 0, used = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        p = end ? end + 1 : NULL;
        trim(&item, &n);
        if (!n)
            continue; /* "a=b," or an empty field */
        const char *eq = memchr(item, '=', n);
        if (!eq)
            return (size_t)-1;
        if (count < max && used + n + 2 <= store_len) {
            char *key = store + used;
            memcpy(key, item, n);
            key[n] = '\0';
            key[eq - item] = '\0';
            out[count] = (iam_tag){.key = key, .value = key + (eq - item) + 1};
            used += n + 1;
        }
        count++;
    }
    return count;
}

void wiz_rules_tags_text(const iam_tag *tags, size_t n, char *out, size_t len)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < len; i++) {
        int k =
            snprintf(out + used, len - used, "%s%s=%s", i ? "," : "", tags[i].key, tags[i].value);
        if (k < 0)
            break;
        used += (size_t)k;
    }
}

void wiz_rules_options(const wizard *w, connect_options *o, iam_tag *tags, size_t max, char *store,
                       size_t store_len)
{
    size_t n = w->method == CONNECT_MANUAL
                   ? 0 /* the operator's own role and policy */
                   : wiz_rules_parse_tags(w->tags, tags, max, store, store_len);
    o->tags = tags;
    o->ntags = n == (size_t)-1 ? 0 : n < max ? n : max; /* checked when it was set */
}

static int refuse(const char *field, const sc_error *err, char *why, size_t len)
{
    snprintf(why, len, "%s: %s", field, err->message);
    return -1;
}

static int check(const wizard *w, const char *role, const char *policy, const char *boundary,
                 const char *path, const char *tags, char *why, size_t len)
{
    sc_error err;
    if (*role && iam_rules_role_name(role, &err) != ST_OK)
        return refuse("Role name", &err, why, len);
    if (*policy && iam_rules_policy_name(policy, &err) != ST_OK)
        return refuse("Policy name", &err, why, len);
    if (*boundary && iam_rules_boundary(boundary, partition_names[w->partition], &err) != ST_OK)
        return refuse("Permissions boundary", &err, why, len);
    if (*path && iam_rules_path(path, &err) != ST_OK)
        return refuse("IAM path", &err, why, len);
    static iam_tag parsed[IAM_RULES_MAX_TAGS + 1]; /* the UI thread only */
    static char store[WIZ_RULES_TAGS_LEN];
    size_t n = wiz_rules_parse_tags(tags, parsed, IAM_RULES_MAX_TAGS + 1, store, sizeof store);
    if (n == (size_t)-1) {
        snprintf(why, len, "Tags: each tag is KEY=VALUE, separated by commas");
        return -1;
    }
    if (iam_rules_tags(parsed, n, &err) != ST_OK)
        return refuse("Tags", &err, why, len);
    return 0;
}

int wiz_rules_set(wizard *w, const char *role, const char *policy, const char *boundary,
                  const char *path, const char *tags, char *why, size_t len)
{
    if (strlen(tags) >= sizeof w->tags) {
        snprintf(why, len, "Tags: too long for the form");
        return -1;
    }
    if (check(w, role, policy, boundary, path, tags, why, len) != 0)
        return -1;
    snprintf(w->role_name, sizeof w->role_name, "%s", role);
    snprintf(w->policy_name, sizeof w->policy_name, "%s", policy);
    snprintf(w->boundary, sizeof w->boundary, "%s", boundary);
    snprintf(w->iam_path, sizeof w->iam_path, "%s", path);
    /* Stored as the engine and the state spell them: "K=V,K=V". */
    static iam_tag parsed[IAM_RULES_MAX_TAGS];
    static char store[WIZ_RULES_TAGS_LEN];
    size_t n = wiz_rules_parse_tags(tags, parsed, IAM_RULES_MAX_TAGS, store, sizeof store);
    wiz_rules_tags_text(parsed, n, w->tags, sizeof w->tags);
    return 0;
}

void wiz_rules_summary(const wizard *w, char *out, size_t len)
{
    static iam_tag parsed[IAM_RULES_MAX_TAGS];
    static char store[WIZ_RULES_TAGS_LEN];
    size_t n = wiz_rules_parse_tags(w->tags, parsed, IAM_RULES_MAX_TAGS, store, sizeof store);
    int k =
        snprintf(out, len, "Role %s, policy %s, path %s, %s%s, %zu tag%s",
                 w->role_name[0] ? w->role_name : CONNECT_DEFAULT_ROLE,
                 w->policy_name[0] ? w->policy_name : CONNECT_DEFAULT_POLICY,
                 w->iam_path[0] ? w->iam_path : "/", w->boundary[0] ? "boundary " : "no boundary",
                 w->boundary, n == (size_t)-1 ? 0 : n, n == 1 ? "" : "s");
    (void)k;
}
