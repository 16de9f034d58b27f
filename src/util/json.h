/* Writing JSON answers with yajl: objects of plain keys and values. */
#ifndef SC_JSON_H
#define SC_JSON_H

#include <stdio.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "util/buf.h"
#include "util/error.h"

yajl_gen json_gen_new(int pretty);
void json_kv_str(yajl_gen g, const char *key, const char *value); /* NULL writes null */
void json_kv_bool(yajl_gen g, const char *key, int value);
void json_kv_int(yajl_gen g, const char *key, long long value);
void json_key(yajl_gen g, const char *key);
void json_str(yajl_gen g, const char *value);
/* {"outer":{"key":"value"}} compact, as the Spot API takes its bodies;
 * caller frees. */
char *json_nested_pair(const char *outer, const char *key, const char *value);
/* Appends the document g holds to out. Control characters are escaped as
 * JSON escapes them (DEL and C1 controls too, which yajl_gen leaves raw),
 * and a byte of invalid UTF-8 becomes \ufffd: the text is always JSON and
 * never drives the terminal that shows it. */
void json_gen_text(yajl_gen g, buf_t *out);
/* Writes the document (as json_gen_text) and a newline to f, then frees g. */
void json_gen_finish(yajl_gen g, FILE *f);

/* Reading untrusted JSON: every answer, state file and credentials file
 * goes through json_parse, never yajl_tree_parse directly. */

/* Deeper than any document we read; yajl_tree_parse and yajl_tree_free
 * recurse once per level, so an unchecked `[[[[...` overflows the stack. */
#define JSON_MAX_DEPTH 64

/* Parses text[0..len) (no NUL needed) into *out after checking, with
 * yajl's streaming parser and no recursion, that it is at most max_len
 * bytes and one JSON value nested at most JSON_MAX_DEPTH deep. On failure
 * *out is NULL and err (ST_PARSE) says why in one line naming the line,
 * e.g. "line 3: invalid char in json text", never quoting the text: it may
 * hold a secret. The caller frees *out with yajl_tree_free (or
 * json_free_secret). Comments are not JSON and are refused. */
status_t json_parse(const char *text, size_t len, size_t max_len, yajl_val *out, sc_error *err);
/* yajl_tree_free after wiping every string and number, for trees that held
 * a secret. */
void json_free_secret(yajl_val v);
/* The member key of obj (the first one when repeated); NULL when obj is
 * not an object or has no such member. */
yajl_val json_member(yajl_val obj, const char *key);
/* The same with key compared without ASCII case (IAM condition keys). */
yajl_val json_member_nocase(yajl_val obj, const char *key);
/* The member's string, NULL when absent or not a string. */
const char *json_member_str(yajl_val obj, const char *key);

/* Trees from json_parse, written back and compared. */

/* Writes v into g as it was read: object keys in their order, numbers in
 * their original text. Returns -1 when g refuses (nesting over yajl_gen's
 * 128 levels), 0 otherwise. */
int json_gen_val(yajl_gen g, yajl_val v);
/* v as text, compact or indented by two spaces, without a trailing
 * newline; NULL when it cannot be written. The caller frees. */
char *json_val_text(yajl_val v, int pretty);
/* 1 when a and b are the same JSON value: object key order ignored, array
 * order significant, numbers compared by value (1 == 1.0). */
int json_val_equal(yajl_val a, yajl_val b);
/* NULL when text[0..len) is one JSON value nested at most max_depth deep,
 * else a one-line reason naming the line, e.g. "line 3: invalid char in json
 * text" (the caller frees). json_parse checks with it. */
char *json_check_text(const char *text, size_t len, int max_depth);

#endif
