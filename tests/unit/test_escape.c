/* util/escape.h, the one rule for showing text from outside, and the JSON
 * writer's escaping of the same characters. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/json.h"

static char *esc(const char *s, size_t len, int lines)
{
    buf_t b = BUF_INIT;
    if (lines)
        escape_lines(&b, s, len);
    else
        escape_text(&b, s, len);
    return buf_steal(&b);
}

static void expect(const char *in, size_t len, const char *want)
{
    char *got = esc(in, len, 0);
    CHECK_STR(got, want);
    CHECK_INT(escape_needed(in, len), strcmp(got, in) != 0 || strlen(in) != len);
    free(got);
}

static void test_plain_text_kept(void)
{
    expect("arn:aws:iam::123456789012:role/Spot-Role", 40,
           "arn:aws:iam::123456789012:role/Spot-Role");
    expect("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 a\\b", 18,
           "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80 a\\b");
    expect("\xc2\xa0nbsp", 6, "\xc2\xa0nbsp"); /* U+00A0 is no control */
    expect("", 0, "");
}

static void test_c0_and_del(void)
{
    const char *osc = "role/\x1b]52;c;SGk=\x07";
    expect(osc, strlen(osc), "role/\\x1b]52;c;SGk=\\x07");
    expect("a\tb\nc\rd\x7f", 8, "a\\x09b\\x0ac\\x0dd\\x7f");
    expect("a\0b", 3, "a\\x00b");
    expect("\x1b[2J\x1b]0;pwned\x07", 14, "\\x1b[2J\\x1b]0;pwned\\x07");
}

static void test_c1_controls(void)
{
    /* U+009B is CSI to a terminal that takes C1 controls in UTF-8. */
    expect("x\xc2\x9b"
           "2J",
           5, "x\\x9b2J");
    expect("\xc2\x80\xc2\x9f", 4, "\\x80\\x9f");
}

static void test_invalid_utf8(void)
{
    expect("\x9b"
           "2J",
           3, "\\x9b2J");                                  /* a lone 8-bit CSI byte */
    expect("a\xc3", 2, "a\\xc3");                          /* cut short */
    expect("\xc0\xaf", 2, "\\xc0\\xaf");                   /* overlong '/' */
    expect("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");          /* a surrogate */
    expect("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* past U+10FFFF */
    expect("\xff\xfe", 2, "\\xff\\xfe");
}

static void test_lines_keep_newline(void)
{
    char *got = esc("{\n  \"a\": \"\x1b[31m\"\n}", 18, 1);
    CHECK_STR(got, "{\n  \"a\": \"\\x1b[31m\"\n}");
    free(got);
}

static void test_escape_str(void)
{
    char *s = escape_str("name\x1b]0;pwned\x07");
    CHECK_STR(s, "name\\x1b]0;pwned\\x07");
    free(s);
    s = escape_str(NULL);
    CHECK_STR(s, "");
    free(s);
}

static void test_utf8_char(void)
{
    uint32_t cp = 0;
    CHECK_INT(escape_utf8_char("\xe2\x9c\x93", 3, &cp), 3);
    CHECK_INT(cp, 0x2713);
    CHECK_INT(escape_utf8_char("\xe2\x9c", 2, &cp), 0);
    CHECK_INT(escape_utf8_char("\x80", 1, &cp), 0);
    CHECK_INT(escape_utf8_char("", 0, &cp), 0);
    CHECK(escape_is_control(0x1b) && escape_is_control(0x7f) && escape_is_control(0x9f));
    CHECK(!escape_is_control(' ') && !escape_is_control(0xa0));
}

/* What json_gen_finish writes for one value, through a pipe-less buffer. */
static char *json_of(const char *value)
{
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    json_kv_str(g, "name", value);
    yajl_gen_map_close(g);
    buf_t b = BUF_INIT;
    json_gen_text(g, &b);
    yajl_gen_free(g);
    return buf_steal(&b);
}

static void test_json_escapes_controls(void)
{
    char *s = json_of("a\x1b]52;c;SGk=\x07\x7f\xc2\x9b"
                      "b");
    CHECK_STR(s, "{\"name\":\"a\\u001B]52;c;SGk=\\u0007\\u007F\\u009Bb\"}");
    yajl_val v = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(json_parse(s, strlen(s), 1024, &v, &err), ST_OK);
    CHECK_STR(json_member_str(v, "name"), "a\x1b]52;c;SGk=\x07\x7f\xc2\x9b"
                                          "b"); /* the same text */
    yajl_tree_free(v);
    free(s);
}

static void test_json_invalid_utf8_stays_json(void)
{
    char *s = json_of("x\x9by\xc3");
    CHECK_STR(s, "{\"name\":\"x\\uFFFDy\\uFFFD\"}");
    yajl_val v = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(json_parse(s, strlen(s), 1024, &v, &err), ST_OK);
    yajl_tree_free(v);
    free(s);
    s = json_of("caf\xc3\xa9");
    CHECK_STR(s, "{\"name\":\"caf\xc3\xa9\"}");
    free(s);
}

int main(void)
{
    check_suite = "escape";
    check_run("printable UTF-8 and backslash kept", test_plain_text_kept);
    check_run("C0 controls and DEL as \\xNN", test_c0_and_del);
    check_run("C1 controls as \\xNN of the code point", test_c1_controls);
    check_run("invalid UTF-8 bytes as \\xNN", test_invalid_utf8);
    check_run("escape_lines keeps line breaks only", test_lines_keep_newline);
    check_run("escape_str", test_escape_str);
    check_run("UTF-8 decoding and the control set", test_utf8_char);
    check_run("JSON escapes C0, DEL and C1 controls", test_json_escapes_controls);
    check_run("JSON stays JSON with invalid UTF-8", test_json_invalid_utf8_stays_json);
    return check_exit();
}
