#include "util/json.h"

#include <string.h>

yajl_gen json_gen_new(int pretty)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    yajl_gen_config(g, yajl_gen_beautify, pretty);
    yajl_gen_config(g, yajl_gen_indent_string, "  ");
    return g;
}

void json_key(yajl_gen g, const char *key)
{
    yajl_gen_string(g, (const unsigned char *)key, strlen(key));
}

void json_str(yajl_gen g, const char *value)
{
    if (value)
        yajl_gen_string(g, (const unsigned char *)value, strlen(value));
    else
        yajl_gen_null(g);
}

void json_kv_str(yajl_gen g, const char *key, const char *value)
{
    json_key(g, key);
    json_str(g, value);
}

void json_kv_bool(yajl_gen g, const char *key, int value)
{
    json_key(g, key);
    yajl_gen_bool(g, value);
}

void json_kv_int(yajl_gen g, const char *key, long long value)
{
    json_key(g, key);
    yajl_gen_integer(g, value);
}

void json_gen_finish(yajl_gen g, FILE *f)
{
    const unsigned char *text;
    size_t len;
    yajl_gen_get_buf(g, &text, &len);
    fwrite(text, 1, len, f);
    if (len == 0 || text[len - 1] != '\n')
        fputc('\n', f);
    fflush(f);
    yajl_gen_free(g);
}
