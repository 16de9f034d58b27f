/* Splitting a policy past IAM's size limit: every part fits, no action is
 * lost or added, the fewest parts where that number is known. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "doc/assets.h"
#include "doc/policy.h"
#include "doc/policy_split.h"
#include "util/buf.h"
#include "util/json.h"

#define MAX_JSON ((size_t)1024 * 1024)

static yajl_val parse(const char *text)
{
    yajl_val v = NULL;
    sc_error err;
    json_parse(text, strlen(text), MAX_JSON, &v, &err);
    return v;
}

/* Every action of every statement, "Sid|action" without the Sid's piece
 * number, one per line, sorted: equal lists = the same permissions. */
typedef struct actions {
    char **v;
    size_t n;
} actions;

static void add_action(actions *a, const char *s)
{
    a->v = realloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n++] = strdup(s);
}

static void collect(const char *doc, actions *a)
{
    yajl_val root = parse(doc);
    yajl_val st = json_member(root, "Statement");
    for (size_t i = 0; YAJL_IS_ARRAY(st) && i < st->u.array.len; i++) {
        yajl_val act = json_member(st->u.array.values[i], "Action");
        if (YAJL_IS_STRING(act))
            add_action(a, act->u.string);
        for (size_t k = 0; YAJL_IS_ARRAY(act) && k < act->u.array.len; k++)
            add_action(a, act->u.array.values[k]->u.string);
    }
    yajl_tree_free(root);
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int same_actions(actions *a, actions *b)
{
    qsort(a->v, a->n, sizeof *a->v, cmp_str);
    qsort(b->v, b->n, sizeof *b->v, cmp_str);
    int same = a->n == b->n;
    for (size_t i = 0; same && i < a->n; i++)
        same = strcmp(a->v[i], b->v[i]) == 0;
    return same;
}

static void free_actions(actions *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
}

/* Sids are unique within each part; every part has the input's Version. */
static int sids_unique(const char *doc)
{
    yajl_val root = parse(doc);
    yajl_val st = json_member(root, "Statement");
    int ok = YAJL_IS_ARRAY(st) && json_member_str(root, "Version") &&
             strcmp(json_member_str(root, "Version"), "2012-10-17") == 0;
    for (size_t i = 0; ok && i < st->u.array.len; i++)
        for (size_t k = i + 1; ok && k < st->u.array.len; k++) {
            const char *a = json_member_str(st->u.array.values[i], "Sid");
            const char *b = json_member_str(st->u.array.values[k], "Sid");
            ok = !a || !b || strcmp(a, b) != 0;
        }
    yajl_tree_free(root);
    return ok;
}

/* The checks every split must pass; returns the number of parts. */
static size_t check_split(const char *input, size_t limit)
{
    policy_parts parts;
    sc_error err;
    error_clear(&err);
    CHECK_INT(policy_split(input, limit, &parts, &err), ST_OK);
    if (err.status != ST_OK)
        fprintf(stderr, "  %s\n", err.message);
    actions in = {0}, out = {0};
    collect(input, &in);
    for (size_t i = 0; i < parts.n; i++) {
        CHECK(policy_size(parts.docs[i]) <= limit);
        CHECK(sids_unique(parts.docs[i]));
        collect(parts.docs[i], &out);
    }
    CHECK(in.n > 0);
    CHECK(same_actions(&in, &out));
    free_actions(&in);
    free_actions(&out);
    size_t n = parts.n;
    policy_parts_free(&parts);
    return n;
}

/* Spot's policy and extra statements of ten actions each, ~20,000 chars. */
static char *big_policy(size_t extra)
{
    yajl_val spot = parse(asset_spot_policy_json);
    yajl_val st = json_member(spot, "Statement");
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (size_t i = 0; i < st->u.array.len; i++) {
        char *one = json_val_text(st->u.array.values[i], 0);
        buf_printf(&b, "%s%s", i ? "," : "", one);
        free(one);
    }
    for (size_t i = 0; i < extra; i++) {
        buf_printf(&b, ",{\"Sid\":\"Extra%zu\",\"Effect\":\"Allow\",\"Action\":[", i);
        for (size_t k = 0; k < 10 + i % 7; k++)
            buf_printf(&b, "%s\"ec2:DescribeSomething%zuOf%zu\"", k ? "," : "", k, i);
        buf_puts(&b, "],\"Resource\":\"*\"}");
    }
    buf_puts(&b, "]}");
    yajl_tree_free(spot);
    return buf_steal(&b);
}

/* One statement of n actions (~27 characters each). */
static char *huge_statement(size_t n, const char *other_sid)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
    if (other_sid)
        buf_printf(&b,
                   "{\"Sid\":\"%s\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                   "\"Resource\":\"*\"},",
                   other_sid);
    buf_puts(&b, "{\"Sid\":\"Big\",\"Effect\":\"Allow\",\"Action\":[");
    for (size_t k = 0; k < n; k++)
        buf_printf(&b, "%s\"ec2:DescribeThing%05zu\"", k ? "," : "", k);
    buf_puts(&b, "],\"Resource\":\"*\"}]}");
    return buf_steal(&b);
}

static size_t frame_size(void)
{
    return policy_size("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
}

/* A statement of exactly weight - 1 characters (weight counts its comma). */
static void statement_of_weight(buf_t *b, size_t i, size_t weight)
{
    static const char head[] = "{\"Sid\":\"S0\",\"Effect\":\"Allow\",\"Action\":\"x:";
    static const char tail[] = "\",\"Resource\":\"*\"}";
    buf_printf(b, "{\"Sid\":\"S%zu\",\"Effect\":\"Allow\",\"Action\":\"x:", i);
    for (size_t k = sizeof head - 1 + sizeof tail - 1; k < weight - 1; k++)
        buf_putc(b, 'A');
    buf_puts(b, tail);
}

static char *weighted(const size_t *w, size_t n)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, ',');
        statement_of_weight(&b, i, w[i]);
    }
    buf_puts(&b, "]}");
    return buf_steal(&b);
}

static void test_fits_unchanged(void)
{
    policy_parts parts;
    sc_error err;
    char *json = NULL;
    CHECK_INT(policy_build_whole(NULL, &json, &err), ST_OK);
    CHECK_INT(policy_split(json, POLICY_MAX_CHARS, &parts, &err), ST_OK);
    REQUIRE(parts.n == 1);
    CHECK_STR(parts.docs[0], json);
    policy_parts_free(&parts);
    free(json);
}

static void test_spot_plus_extra(void)
{
    char *text = big_policy(32);
    size_t size = policy_size(text);
    CHECK(size > 19000 && size < 22000);
    size_t n = check_split(text, POLICY_MAX_CHARS);
    /* Every statement fits alone: the fewest is at least the lower bound,
     * and this input reaches it. */
    yajl_val root = parse(text);
    yajl_val st = json_member(root, "Statement");
    size_t total = 0;
    for (size_t i = 0; i < st->u.array.len; i++) {
        char *one = json_val_text(st->u.array.values[i], 0);
        total += policy_size(one) + 1;
        free(one);
    }
    yajl_tree_free(root);
    size_t cap = POLICY_MAX_CHARS + 1 - frame_size();
    CHECK_INT(n, (total + cap - 1) / cap);
    CHECK(n >= 4);
    free(text);
}

/* Statements keep their order within a part, and part 1 starts with the
 * input's first statement. */
static void test_order_kept(void)
{
    char *text = big_policy(32);
    policy_parts parts;
    sc_error err;
    REQUIRE(policy_split(text, POLICY_MAX_CHARS, &parts, &err) == ST_OK);
    REQUIRE(parts.n > 1);
    CHECK(strstr(parts.docs[0], "\"Sid\":\"OpsWorks\"") != NULL);
    for (size_t i = 0; i < parts.n; i++) {
        const char *a = strstr(parts.docs[i], "\"Sid\":\"Extra1\"");
        const char *b = strstr(parts.docs[i], "\"Sid\":\"Extra2\"");
        CHECK(!a || !b || a < b);
    }
    policy_parts_free(&parts);
    free(text);
}

static void test_huge_statement(void)
{
    char *text = huge_statement(800, NULL);
    CHECK(policy_size(text) > 19000 && policy_size(text) < 21000);
    size_t n = check_split(text, POLICY_MAX_CHARS);
    policy_parts parts;
    sc_error err;
    REQUIRE(policy_split(text, POLICY_MAX_CHARS, &parts, &err) == ST_OK);
    REQUIRE(parts.n == n);
    /* Pieces Big1, Big2, ... in order; all but the last are full: one more
     * action would not fit. */
    for (size_t i = 0; i < parts.n; i++) {
        char sid[32];
        snprintf(sid, sizeof sid, "\"Sid\":\"Big%zu\"", i + 1);
        CHECK(strstr(parts.docs[i], sid) != NULL);
        if (i + 1 < parts.n)
            CHECK(policy_size(parts.docs[i]) + strlen(",\"ec2:DescribeThing00000\"") >
                  POLICY_MAX_CHARS);
    }
    policy_parts_free(&parts);
    free(text);
}

/* A piece's Sid never repeats another statement's: Big1 is taken. */
static void test_huge_statement_sid_clash(void)
{
    char *text = huge_statement(800, "Big1");
    check_split(text, POLICY_MAX_CHARS);
    policy_parts parts;
    sc_error err;
    REQUIRE(policy_split(text, POLICY_MAX_CHARS, &parts, &err) == ST_OK);
    int found = 0;
    for (size_t i = 0; i < parts.n; i++)
        found += strstr(parts.docs[i], "\"Sid\":\"BigP1\"") != NULL;
    CHECK_INT(found, 1);
    policy_parts_free(&parts);
    free(text);
}

/* 4,4,3,3,2,2 in bins of 9: First Fit Decreasing needs 3, the fewest is 2
 * ({4,3,2} twice): the search must find it. */
static void test_fewest_beats_ffd(void)
{
    const size_t unit = 100;
    size_t w[] = {4 * unit, 2 * unit, 3 * unit, 4 * unit, 2 * unit, 3 * unit};
    char *text = weighted(w, 6);
    size_t limit = frame_size() + 9 * unit - 1;
    CHECK_INT(check_split(text, limit), 2);
    free(text);
}

/* Exactly full parts: 5+4, 6+3, 7+2 in bins of 9 is 3 parts. */
static void test_fewest_exact_fill(void)
{
    const size_t unit = 100;
    size_t w[] = {5 * unit, 6 * unit, 7 * unit, 2 * unit, 3 * unit, 4 * unit};
    char *text = weighted(w, 6);
    size_t limit = frame_size() + 9 * unit - 1;
    CHECK_INT(check_split(text, limit), 3);
    /* One character less: 7 alone, 6+2, 5+3, 4 (the bound ceil(27/8.99)). */
    CHECK_INT(check_split(text, limit - 1), 4);
    free(text);
}

static void test_cannot_cut(void)
{
    policy_parts parts;
    sc_error err;
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Wide\",\"Effect\":"
                 "\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":[");
    for (size_t k = 0; k < 300; k++)
        buf_printf(&b, "%s\"arn:aws:s3:::bucket-number-%05zu/*\"", k ? "," : "", k);
    buf_puts(&b, "]}]}");
    CHECK_INT(policy_split(buf_str(&b), POLICY_MAX_CHARS, &parts, &err), ST_BAD_INPUT);
    CHECK(strstr(err.message, "statement 1 (Wide)") != NULL);
    CHECK(strstr(err.message, "6144") != NULL);
    CHECK(parts.n == 0);
    buf_free(&b);
    buf_init(&b);
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"NotAction\":[");
    for (size_t k = 0; k < 400; k++)
        buf_printf(&b, "%s\"ec2:DescribeThing%05zu\"", k ? "," : "", k);
    buf_puts(&b, "],\"Resource\":\"*\"}]}");
    CHECK_INT(policy_split(buf_str(&b), POLICY_MAX_CHARS, &parts, &err), ST_BAD_INPUT);
    CHECK(strstr(err.message, "NotAction") != NULL);
    buf_free(&b);
}

static void test_part_names(void)
{
    char *a = policy_part_name("Spot-Policy", 0), *b = policy_part_name("Spot-Policy", 1),
         *c = policy_part_name("Spot-Policy", 9);
    CHECK_STR(a, "Spot-Policy");
    CHECK_STR(b, "Spot-Policy-2");
    CHECK_STR(c, "Spot-Policy-10");
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    check_suite = "policy_split";
    check_run("a policy that fits is one part, unchanged", test_fits_unchanged);
    check_run("~20,000 chars (Spot's + extra): parts fit, same actions, fewest",
              test_spot_plus_extra);
    check_run("statement order kept in parts", test_order_kept);
    check_run("one statement of ~20,000 chars cut by actions: Big1, Big2, ...",
              test_huge_statement);
    check_run("cut Sids never repeat another statement's", test_huge_statement_sid_clash);
    check_run("fewest parts where First Fit Decreasing is not", test_fewest_beats_ffd);
    check_run("fewest parts: exact fills, and one character less", test_fewest_exact_fill);
    check_run("a statement that cannot be cut is refused, named", test_cannot_cut);
    check_run("part names Spot-Policy, Spot-Policy-2, ...", test_part_names);
    return check_exit();
}
