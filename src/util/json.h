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
/* Writes the document and a newline to f, then frees g. */
void json_gen_finish(yajl_gen g, FILE *f);

#endif
