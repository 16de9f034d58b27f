/* Writing JSON answers with yajl: objects of plain keys and values. */
#ifndef SC_JSON_H
#define SC_JSON_H

#include <stdio.h>
#include <yajl/yajl_gen.h>

yajl_gen json_gen_new(int pretty);
void json_kv_str(yajl_gen g, const char *key, const char *value); /* NULL writes null */
void json_kv_bool(yajl_gen g, const char *key, int value);
void json_kv_int(yajl_gen g, const char *key, long long value);
void json_key(yajl_gen g, const char *key);
void json_str(yajl_gen g, const char *value);
/* {"outer":{"key":"value"}} compact, as the Spot API takes its bodies;
 * caller frees. */
char *json_nested_pair(const char *outer, const char *key, const char *value);
/* Writes the document and a newline to f, then frees g. */
void json_gen_finish(yajl_gen g, FILE *f);

/* Trees from yajl_tree_parse, written back and compared. */
#include <yajl/yajl_tree.h>

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
 * text" (the caller frees). Check before yajl_tree_parse, which gives no
 * line and recurses without limit when freeing. */
char *json_check_text(const char *text, size_t len, int max_depth);

#endif
