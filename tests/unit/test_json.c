/* json_parse, the one way in for untrusted JSON, and the member lookups. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/json.h"
#include "util/xalloc.h"

/* n opening brackets, the shape that overflowed yajl's recursive free. */
static char *brackets(size_t n)
{
    char *s = xmalloc(n + 1);
    memset(s, '[', n);
    s[n] = '\0';
    return s;
}

static void test_parse_ok(void)
{
    yajl_val v = NULL;
    sc_error err;
    error_clear(&err);
    const char *text = "{\"a\":{\"b\":\"x\"},\"n\":12,\"a\":\"dup\"}junk";
    CHECK_INT(json_parse(text, strlen(text) - 4, 1024, &v, &err), ST_OK);
    CHECK(YAJL_IS_OBJECT(v));
    CHECK_STR(json_member_str(json_member(v, "a"), "b"), "x");
    CHECK(json_member_str(v, "n") == NULL); /* a number, not a string */
    CHECK(YAJL_IS_INTEGER(json_member(v, "n")));
    CHECK(json_member(v, "missing") == NULL);
    CHECK(json_member(json_member(v, "n"), "b") == NULL); /* not an object */
    CHECK(json_member(NULL, "a") == NULL);
    CHECK(json_member_nocase(v, "A") == json_member(v, "a"));
    json_free_secret(v);
}

static void expect_refused(const char *text, size_t len, size_t max, const char *needle)
{
    yajl_val v = (yajl_val)1;
    sc_error err;
    error_clear(&err);
    CHECK_INT(json_parse(text, len, max, &v, &err), ST_PARSE);
    CHECK(v == NULL);
    if (!strstr(err.message, needle)) {
        fprintf(stderr, "  message [%s] lacks [%s]\n", err.message, needle);
        check_case_failed = 1;
    }
    CHECK(strchr(err.message, '\n') == NULL);
}

static void test_parse_refusals(void)
{
    expect_refused("", 0, 10, "empty");
    expect_refused(" \n", 2, 10, "empty");
    expect_refused("{\"a\":1}", 7, 6, "larger than 6 bytes");
    expect_refused("{\n\"a\": x}", 9, 100, "line 2:");
    expect_refused("{\"a\":1} /* c */", 15, 100, "line 1:");
    expect_refused("{\"a\":1}\0{}", 10, 100, "line 1:");
    /* The text is never quoted: it may be a credential file. */
    expect_refused("{\"token\": SECRET-TOKEN}", 23, 100, "line 1:");
    yajl_val v = NULL;
    sc_error err;
    json_parse("{\"token\": SECRET-TOKEN}", 23, 100, &v, &err);
    CHECK(strstr(err.message, "SECRET") == NULL);
}

static void test_depth_limit(void)
{
    char text[2 * JSON_MAX_DEPTH + 1];
    memset(text, '[', JSON_MAX_DEPTH);
    memset(text + JSON_MAX_DEPTH, ']', JSON_MAX_DEPTH);
    yajl_val v = NULL;
    sc_error err;
    CHECK_INT(json_parse(text, 2 * JSON_MAX_DEPTH, sizeof text, &v, &err), ST_OK);
    yajl_tree_free(v);
    memset(text, '[', JSON_MAX_DEPTH + 1);
    memset(text + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH - 1);
    text[2 * JSON_MAX_DEPTH] = ']';
    expect_refused(text, 2 * JSON_MAX_DEPTH + 1, sizeof text, "nested more than 64 levels");
}

/* 600 KB of `[` crashed yajl_tree_parse (its free recurses per level). */
static void test_deep_brackets(void)
{
    size_t n = 600 * 1024;
    char *s = brackets(n);
    expect_refused(s, n, 16u << 20, "nested more than 64 levels");
    s[0] = '{'; /* and inside an object, as a member's value */
    expect_refused(s, n, 16u << 20, "line 1:");
    free(s);
}

int main(void)
{
    check_suite = "json";
    check_run("parse and member lookups", test_parse_ok);
    check_run("refusals name the line, never the text", test_parse_refusals);
    check_run("depth limit of 64", test_depth_limit);
    check_run("600 KB of nested brackets", test_deep_brackets);
    return check_exit();
}
