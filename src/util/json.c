#include "util/json.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "util/ascii.h"
#include "util/buf.h"
#include "util/escape.h"
#include "util/xalloc.h"

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

/* yajl_gen escapes C0 controls inside strings but copies DEL, C1 controls
 * and invalid UTF-8 through, so a name from an API could still drive the
 * terminal that shows the document, and invalid UTF-8 makes it no JSON.
 * In yajl's output such characters can only sit inside strings, where a
 * \u escape means the same character (U+FFFD for a byte that is none). */
static void safe_append(buf_t *out, const char *text, size_t len)
{
    size_t i = 0, plain = 0;
    while (i < len) {
        uint32_t cp = 0;
        size_t n = escape_utf8_char(text + i, len - i, &cp);
        if (n && (cp < 0x7f || !escape_is_control(cp))) {
            i += n;
            continue;
        }
        buf_append(out, text + plain, i - plain);
        if (n)
            buf_printf(out, "\\u%04X", (unsigned)cp);
        else
            buf_puts(out, "\\uFFFD");
        i += n ? n : 1;
        plain = i;
    }
    buf_append(out, text + plain, len - plain);
}

void json_gen_text(yajl_gen g, buf_t *out)
{
    const unsigned char *text;
    size_t len;
    if (yajl_gen_get_buf(g, &text, &len) == yajl_gen_status_ok)
        safe_append(out, (const char *)text, len);
}

void json_gen_finish(yajl_gen g, FILE *f)
{
    buf_t b = BUF_INIT;
    json_gen_text(g, &b);
    fwrite(buf_str(&b), 1, b.len, f);
    if (b.len == 0 || b.data[b.len - 1] != '\n')
        fputc('\n', f);
    fflush(f);
    buf_free(&b);
    yajl_gen_free(g);
}

/* Writing, comparing and checking parsed trees. */

static int gen_object(yajl_gen g, yajl_val v)
{
    if (yajl_gen_map_open(g) != yajl_gen_status_ok)
        return -1;
    for (size_t i = 0; i < v->u.object.len; i++) {
        json_key(g, v->u.object.keys[i]);
        if (json_gen_val(g, v->u.object.values[i]) < 0)
            return -1;
    }
    return yajl_gen_map_close(g) == yajl_gen_status_ok ? 0 : -1;
}

static int gen_array(yajl_gen g, yajl_val v)
{
    if (yajl_gen_array_open(g) != yajl_gen_status_ok)
        return -1;
    for (size_t i = 0; i < v->u.array.len; i++)
        if (json_gen_val(g, v->u.array.values[i]) < 0)
            return -1;
    return yajl_gen_array_close(g) == yajl_gen_status_ok ? 0 : -1;
}

int json_gen_val(yajl_gen g, yajl_val v)
{
    if (!v)
        return yajl_gen_null(g) == yajl_gen_status_ok ? 0 : -1;
    yajl_gen_status st;
    switch (v->type) {
    case yajl_t_object:
        return gen_object(g, v);
    case yajl_t_array:
        return gen_array(g, v);
    case yajl_t_string:
        st = yajl_gen_string(g, (const unsigned char *)v->u.string, strlen(v->u.string));
        break;
    case yajl_t_number:
        /* The original text, so that 1.50 or 1e3 stay as written. */
        st = yajl_gen_number(g, v->u.number.r, strlen(v->u.number.r));
        break;
    case yajl_t_true:
    case yajl_t_false:
        st = yajl_gen_bool(g, v->type == yajl_t_true);
        break;
    default:
        st = yajl_gen_null(g);
        break;
    }
    return st == yajl_gen_status_ok ? 0 : -1;
}

char *json_val_text(yajl_val v, int pretty)
{
    yajl_gen g = json_gen_new(pretty);
    char *text = NULL;
    if (json_gen_val(g, v) == 0) {
        buf_t b = BUF_INIT;
        json_gen_text(g, &b);
        /* yajl ends a beautified document with a newline; callers add their own. */
        while (b.len > 0 && b.data[b.len - 1] == '\n')
            b.data[--b.len] = '\0';
        text = buf_steal(&b);
    }
    yajl_gen_free(g);
    return text;
}

static int numbers_equal(yajl_val a, yajl_val b)
{
    if (YAJL_IS_INTEGER(a) && YAJL_IS_INTEGER(b))
        return a->u.number.i == b->u.number.i;
    if (YAJL_IS_DOUBLE(a) && YAJL_IS_DOUBLE(b))
        return a->u.number.d == b->u.number.d;
    return strcmp(a->u.number.r, b->u.number.r) == 0;
}

yajl_val json_member(yajl_val obj, const char *key)
{
    for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

yajl_val json_member_nocase(yajl_val obj, const char *key)
{
    for (size_t i = 0; YAJL_IS_OBJECT(obj) && i < obj->u.object.len; i++)
        if (ascii_strcasecmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *json_member_str(yajl_val obj, const char *key)
{
    yajl_val v = json_member(obj, key);
    return YAJL_IS_STRING(v) ? v->u.string : NULL;
}

static int objects_equal(yajl_val a, yajl_val b)
{
    if (a->u.object.len != b->u.object.len)
        return 0;
    for (size_t i = 0; i < a->u.object.len; i++) {
        yajl_val other = json_member(b, a->u.object.keys[i]);
        if (!other || !json_val_equal(a->u.object.values[i], other))
            return 0;
    }
    return 1;
}

static int arrays_equal(yajl_val a, yajl_val b)
{
    if (a->u.array.len != b->u.array.len)
        return 0;
    for (size_t i = 0; i < a->u.array.len; i++)
        if (!json_val_equal(a->u.array.values[i], b->u.array.values[i]))
            return 0;
    return 1;
}

int json_val_equal(yajl_val a, yajl_val b)
{
    if (!a || !b)
        return a == b;
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case yajl_t_object:
        return objects_equal(a, b);
    case yajl_t_array:
        return arrays_equal(a, b);
    case yajl_t_string:
        return strcmp(a->u.string, b->u.string) == 0;
    case yajl_t_number:
        return numbers_equal(a, b);
    default: /* true, false, null: the type says it all */
        return 1;
    }
}

typedef struct depth_check {
    int depth, max, too_deep;
} depth_check;

static int check_open(void *ctx)
{
    depth_check *d = ctx;
    if (++d->depth > d->max) {
        d->too_deep = 1;
        return 0; /* stops the parse */
    }
    return 1;
}

static int check_close(void *ctx)
{
    ((depth_check *)ctx)->depth--;
    return 1;
}

static const yajl_callbacks check_callbacks = {
    .yajl_start_map = check_open,
    .yajl_end_map = check_close,
    .yajl_start_array = check_open,
    .yajl_end_array = check_close,
};

static unsigned line_at(const char *text, size_t offset)
{
    unsigned line = 1;
    for (size_t i = 0; i < offset; i++)
        line += text[i] == '\n';
    return line;
}

/* yajl's short error is "lexical error: invalid char in json text.\n";
 * keep the part after the colon, without the period and newline. */
static char *short_reason(yajl_handle h, const char *text, size_t len, size_t offset,
                          const depth_check *d)
{
    if (offset > len)
        offset = len;
    buf_t b = BUF_INIT;
    if (d->too_deep) {
        buf_printf(&b, "line %u: nested more than %d levels deep", line_at(text, offset), d->max);
        return buf_steal(&b);
    }
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
    const char *m = (const char *)msg, *colon = strchr(m, ':');
    if (colon)
        m = colon + 1 + (colon[1] == ' ');
    size_t n = strcspn(m, "\n");
    while (n > 0 && m[n - 1] == '.')
        n--;
    buf_printf(&b, "line %u: %.*s", line_at(text, offset), (int)n, m);
    yajl_free_error(h, msg);
    return buf_steal(&b);
}

char *json_check_text(const char *text, size_t len, int max_depth)
{
    depth_check d = {0, max_depth, 0};
    yajl_handle h = yajl_alloc(&check_callbacks, NULL, &d);
    char *reason = NULL;
    if (yajl_parse(h, (const unsigned char *)text, len) != yajl_status_ok)
        reason = short_reason(h, text, len, yajl_get_bytes_consumed(h), &d);
    else if (yajl_complete_parse(h) != yajl_status_ok)
        reason = short_reason(h, text, len, len, &d);
    yajl_free(h);
    return reason;
}

status_t json_parse(const char *text, size_t len, size_t max_len, yajl_val *out, sc_error *err)
{
    *out = NULL;
    if (len > max_len)
        return error_set(err, ST_PARSE, "larger than %zu bytes", max_len);
    size_t blank = 0;
    while (blank < len && ascii_isspace((unsigned char)text[blank]))
        blank++;
    if (blank == len)
        return error_set(err, ST_PARSE, "empty, not JSON");
    char *why = json_check_text(text, len, JSON_MAX_DEPTH);
    if (why) {
        error_set(err, ST_PARSE, "%s", why);
        free(why);
        return ST_PARSE;
    }
    /* yajl_tree_parse wants a C string; the copy may hold a secret. */
    char *copy = xstrndup(text, len), eb[128];
    *out = yajl_tree_parse(copy, eb, sizeof eb);
    OPENSSL_cleanse(copy, len);
    free(copy);
    if (*out)
        return ST_OK;
    /* Not reached for text the check accepted; eb may quote the text. */
    OPENSSL_cleanse(eb, sizeof eb);
    return error_set(err, ST_PARSE, "not JSON");
}

/* Children are detached and freed first; yajl_tree_free ignores the NULLs
 * left behind. Recursion is bounded by the depth json_parse allows. */
void json_free_secret(yajl_val v)
{
    if (!v)
        return;
    if (YAJL_IS_STRING(v) && v->u.string) {
        OPENSSL_cleanse(v->u.string, strlen(v->u.string));
    } else if (YAJL_IS_NUMBER(v) && v->u.number.r) {
        OPENSSL_cleanse(v->u.number.r, strlen(v->u.number.r));
    } else if (YAJL_IS_OBJECT(v) || YAJL_IS_ARRAY(v)) {
        yajl_val *kids = YAJL_IS_OBJECT(v) ? v->u.object.values : v->u.array.values;
        size_t n = YAJL_IS_OBJECT(v) ? v->u.object.len : v->u.array.len;
        for (size_t i = 0; i < n; i++) {
            yajl_val child = kids[i];
            kids[i] = NULL;
            json_free_secret(child);
        }
    }
    yajl_tree_free(v);
}

char *json_nested_pair(const char *outer, const char *key, const char *value)
{
    yajl_gen g = json_gen_new(0);
    yajl_gen_map_open(g);
    json_key(g, outer);
    yajl_gen_map_open(g);
    json_kv_str(g, key, value);
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    const unsigned char *text;
    size_t len;
    yajl_gen_get_buf(g, &text, &len);
    char *body = xstrndup((const char *)text, len);
    yajl_gen_free(g);
    return body;
}
