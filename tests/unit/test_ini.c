/* INI parsing as Python's RawConfigParser does it (botocore's reader). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/ini.h"
#include "util/shlex.h"

static ini_file *parse_ok(const char *text)
{
    ini_file *f = NULL;
    ini_error e;
    if (ini_parse(text, strlen(text), 0, &f, &e) < 0) {
        fprintf(stderr, "  unexpected error: %s\n", e.message);
        check_case_failed = 1;
    }
    return f;
}

static const char *get(const ini_file *f, const char *sec, const char *key)
{
    return ini_get(ini_find_section(f, sec), key);
}

static void test_basic(void)
{
    ini_file *f = parse_ok("[default]\n"
                           "aws_access_key_id = AKIDEXAMPLE\n"
                           "Region=eu-west-1\n"
                           "output :  json  \n"
                           "\n"
                           "[profile dev]\n"
                           "role_arn = arn:aws:iam::123456789012:role/Dev\n");
    if (!f)
        return;
    CHECK_INT(f->count, 2);
    CHECK_STR(f->sections[0].name, "default");
    CHECK_STR(f->sections[1].name, "profile dev");
    CHECK_STR(get(f, "default", "aws_access_key_id"), "AKIDEXAMPLE");
    CHECK_STR(get(f, "default", "region"), "eu-west-1");
    CHECK(get(f, "default", "Region") == NULL);
    CHECK_STR(get(f, "default", "output"), "json");
    /* The first `=` or `:` splits, so ARNs with colons survive. */
    CHECK_STR(get(f, "profile dev", "role_arn"), "arn:aws:iam::123456789012:role/Dev");
    CHECK_INT(ini_find_entry(ini_find_section(f, "profile dev"), "role_arn")->line, 7);
    ini_free(f);
}

static void test_comments(void)
{
    ini_file *f = parse_ok("# top comment\n"
                           "; another\n"
                           "[default]\n"
                           "   # indented comment\n"
                           "region = us-east-1 ; not a comment in Python 3\n"
                           "output = json # nor this\n"
                           "key = a;b#c\n");
    if (!f)
        return;
    CHECK_STR(get(f, "default", "region"), "us-east-1 ; not a comment in Python 3");
    CHECK_STR(get(f, "default", "output"), "json # nor this");
    CHECK_STR(get(f, "default", "key"), "a;b#c");
    CHECK_INT(ini_find_section(f, "default")->count, 3);
    ini_free(f);
}

static void test_continuation(void)
{
    ini_file *f = parse_ok("[profile x]\n"
                           "s3 =\n"
                           "  max_concurrent_requests = 20\n"
                           "  # a comment inside the block\n"
                           "\n"
                           "  addressing_style = path\n"
                           "region = us-west-2\n"
                           "multi = first\n"
                           "\tsecond\n"
                           "\n"
                           "\n"
                           "[next]\n"
                           "  indented_key = v\n");
    if (!f)
        return;
    const char *s3 = get(f, "profile x", "s3");
    CHECK_STR(s3, "\nmax_concurrent_requests = 20\n\naddressing_style = path");
    CHECK_STR(get(f, "profile x", "region"), "us-west-2");
    CHECK_STR(get(f, "profile x", "multi"), "first\nsecond");
    /* After a header, an indented line starts a key (nothing to continue). */
    CHECK_STR(get(f, "next", "indented_key"), "v");
    char v[64];
    CHECK_INT(ini_nested_get(s3, "addressing_style", v, sizeof v), 0);
    CHECK_STR(v, "path");
    CHECK_INT(ini_nested_get(s3, "missing", v, sizeof v), -1);
    CHECK_INT(ini_nested_check(s3), 0);
    CHECK_INT(ini_nested_check("\na = b\nno equals here\n"), 2);
    ini_free(f);
}

static void test_defaults_section(void)
{
    ini_file *f = parse_ok("[a]\n"
                           "x = 1\n"
                           "[DEFAULT]\n"
                           "x = default-x\n"
                           "y = default-y\n"
                           "[b]\n");
    if (!f)
        return;
    CHECK_INT(f->count, 2);
    CHECK(ini_find_section(f, "DEFAULT") == NULL);
    CHECK_STR(get(f, "a", "x"), "1");
    CHECK_STR(get(f, "a", "y"), "default-y");
    CHECK_STR(get(f, "b", "x"), "default-x");
    ini_free(f);
}

static void test_headers(void)
{
    ini_file *f = parse_ok("[profile a] ; trailing text is ignored\n"
                           "k = 1\n"
                           "[a]]\n"
                           "k = 2\n"
                           "[ spaced ]\n"
                           "k = 3\n"
                           "\r\n"
                           "[crlf]\r\n"
                           "k = 4\r\n");
    if (!f)
        return;
    CHECK_STR(get(f, "profile a", "k"), "1");
    CHECK_STR(get(f, "a]", "k"), "2");
    CHECK_STR(get(f, " spaced ", "k"), "3");
    CHECK_STR(get(f, "crlf", "k"), "4");
    ini_free(f);
}

static void expect_error(const char *text, int line, const char *needle)
{
    ini_file *f = (ini_file *)1;
    ini_error e;
    CHECK_INT(ini_parse(text, strlen(text), 0, &f, &e), -1);
    CHECK(f == NULL);
    CHECK_INT(e.line, line);
    if (!strstr(e.message, needle)) {
        fprintf(stderr, "  message [%s] lacks [%s]\n", e.message, needle);
        check_case_failed = 1;
    }
    /* No value may appear in a message: they can be secrets. */
    CHECK(strstr(e.message, "SECRETVALUE") == NULL);
}

static void test_errors(void)
{
    expect_error("k = SECRETVALUE\n[a]\n", 1, "before the first [section]");
    expect_error("[a]\nk = 1\n[b]\n[a]\n", 4, "section [a] appears a second time");
    expect_error("[a]\nk = SECRETVALUE\nK = SECRETVALUE\n", 3, "key `k` appears a second time");
    expect_error("[a]\nk = 1\nSECRETVALUE\n", 3, "expected `key = value`");
    expect_error("[a]\n= SECRETVALUE\n", 2, "no key name");
    expect_error("[a]\n[]\n", 2, "expected `key = value`");
    expect_error("[DEFAULT]\nk = 1\n[DEFAULT]\nk = 2\n", 4, "appears a second time");
}

static void test_duplicates_allowed(void)
{
    const char *text = "[a]\nk = 1\nk = 2\n[b]\n[a]\nj = 3\n";
    ini_file *f = NULL;
    CHECK_INT(ini_parse(text, strlen(text), INI_ALLOW_DUPLICATES, &f, NULL), 0);
    if (!f)
        return;
    CHECK_INT(f->count, 2);
    CHECK_STR(get(f, "a", "k"), "2");
    CHECK_STR(get(f, "a", "j"), "3");
    ini_free(f);
}

static void test_empty(void)
{
    ini_file *f = parse_ok("");
    CHECK(f && f->count == 0);
    ini_free(f);
    f = parse_ok("\n\n# only comments\n");
    CHECK(f && f->count == 0);
    ini_free(f);
    f = parse_ok("[a]\nempty =\nlast = x");
    CHECK_STR(get(f, "a", "empty"), "");
    CHECK_STR(get(f, "a", "last"), "x");
    ini_free(f);
}

static void check_split(const char *in, int n, const char *w0, const char *w1, const char *w2)
{
    shlex_words w;
    const char *why = NULL;
    CHECK_INT(shlex_split(in, &w, &why), 0);
    CHECK_INT(w.count, n);
    const char *want[3] = {w0, w1, w2};
    for (int i = 0; i < n && i < 3 && i < (int)w.count; i++)
        CHECK_STR(w.words[i], want[i]);
    CHECK(w.words[w.count] == NULL);
    shlex_free(&w);
}

static void test_shlex(void)
{
    check_split("/opt/bin/get-creds --user \"Jane Doe\"", 3, "/opt/bin/get-creds", "--user",
                "Jane Doe");
    check_split("  a  'b c'  d  ", 3, "a", "b c", "d");
    check_split("a'b'\"c\"d", 1, "abcd", NULL, NULL);
    check_split("'' x \"\"", 3, "", "x", "");
    check_split("a\\ b \\\"c", 2, "a b", "\"c", NULL);
    check_split("\"a\\b\\\\c\\\"d\"", 1, "a\\b\\c\"d", NULL, NULL);
    check_split("'a\\b'", 1, "a\\b", NULL, NULL);
    check_split("profile \"my profile\"", 2, "profile", "my profile", NULL);
    check_split("a # b", 3, "a", "#", "b");
    check_split("", 0, NULL, NULL, NULL);
    shlex_words w;
    const char *why = NULL;
    CHECK_INT(shlex_split("a 'b", &w, &why), -1);
    CHECK_STR(why, "No closing quotation");
    CHECK_INT(shlex_split("a \"b", &w, &why), -1);
    CHECK_STR(why, "No closing quotation");
    CHECK_INT(shlex_split("a b\\", &w, &why), -1);
    CHECK_STR(why, "No escaped character");
}

int main(void)
{
    check_suite = "ini";
    check_run("keys, values and delimiters", test_basic);
    check_run("comments, inline ones kept", test_comments);
    check_run("continuation lines and nested blocks", test_continuation);
    check_run("[DEFAULT] fills every section", test_defaults_section);
    check_run("section headers", test_headers);
    check_run("errors name the line, never a value", test_errors);
    check_run("INI_ALLOW_DUPLICATES: later wins", test_duplicates_allowed);
    check_run("empty files and values", test_empty);
    check_run("shlex.split", test_shlex);
    return check_exit();
}
