#include "util/ini.h"

#include <openssl/crypto.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define NO_OPTION SIZE_MAX

typedef struct ini_parser {
    ini_file *f;
    unsigned flags;
    ini_section defaults; /* [DEFAULT], merged into the others at the end */
    ini_section *cur;     /* NULL before the first header */
    size_t opt;           /* entry of cur whose value is being built */
    char *vbuf;           /* value being built; sized for the whole text so it
                             never reallocates and leaves no stray secret copy */
    size_t vlen;
    size_t vcap;
    size_t indent; /* indentation of the last key or header line */
    int lineno;
    ini_error *err;
} ini_parser;

/* Python's str.isspace() for the ASCII range, which strip() and \s use. */
static int ini_isspace(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

static int ini_fail(ini_parser *p, const char *fmt, const char *name)
{
    p->err->line = p->lineno;
    char msg[128];
    snprintf(msg, sizeof msg, fmt, name ? name : "");
    snprintf(p->err->message, sizeof p->err->message, "line %d: %s", p->lineno, msg);
    return -1;
}

static void ini_section_clear(ini_section *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->entries[i].key);
        xfree_secret(s->entries[i].value);
    }
    free(s->entries);
    free(s->name);
    memset(s, 0, sizeof *s);
}

void ini_free(ini_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        ini_section_clear(&f->sections[i]);
    free(f->sections);
    strindex_free(&f->by_name);
    free(f);
}

const ini_section *ini_find_section(const ini_file *f, const char *name)
{
    size_t i = f ? strindex_get(&f->by_name, name, strlen(name)) : STRINDEX_NONE;
    return i == STRINDEX_NONE ? NULL : &f->sections[i];
}

const ini_entry *ini_find_entry(const ini_section *s, const char *key)
{
    for (size_t i = 0; s && i < s->count; i++)
        if (strcmp(s->entries[i].key, key) == 0)
            return &s->entries[i];
    return NULL;
}

const char *ini_get(const ini_section *s, const char *key)
{
    const ini_entry *e = ini_find_entry(s, key);
    return e ? e->value : NULL;
}

static ini_entry *ini_add_entry(ini_section *s, char *key, int line)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->entries = xrealloc(s->entries, s->cap * sizeof *s->entries);
    }
    ini_entry *e = &s->entries[s->count++];
    e->key = key;
    e->value = NULL;
    e->line = line;
    return e;
}

static ini_section *ini_add_section(ini_file *f, const char *name, size_t len, int line)
{
    if (f->count == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 8;
        f->sections = xrealloc(f->sections, f->cap * sizeof *f->sections);
    }
    ini_section *s = &f->sections[f->count++];
    memset(s, 0, sizeof *s);
    s->name = xstrndup(name, len);
    s->line = line;
    strindex_put(&f->by_name, s->name, f->count - 1);
    return s;
}

/* Stores the value built so far, trimmed at the end as Python's
 * '\n'.join(lines).rstrip() does. */
static void ini_finish_value(ini_parser *p)
{
    if (p->opt == NO_OPTION)
        return;
    while (p->vlen > 0 && ini_isspace((unsigned char)p->vbuf[p->vlen - 1]))
        p->vlen--;
    ini_entry *e = &p->cur->entries[p->opt];
    xfree_secret(e->value);
    e->value = xstrndup(p->vbuf, p->vlen);
    OPENSSL_cleanse(p->vbuf, p->vlen);
    p->vlen = 0;
    p->opt = NO_OPTION;
}

static void ini_value_append(ini_parser *p, const char *s, size_t n)
{
    /* Cannot overflow: a value is never longer than the text it came from. */
    if (p->vlen + n + 1 > p->vcap)
        n = p->vcap - p->vlen - 1;
    memcpy(p->vbuf + p->vlen, s, n);
    p->vlen += n;
}

static int ini_header(ini_parser *p, const char *name, size_t len)
{
    ini_finish_value(p);
    char shown[65];
    snprintf(shown, sizeof shown, "%.*s", (int)(len < 64 ? len : 64), name);
    if (len == 7 && memcmp(name, "DEFAULT", 7) == 0) {
        p->cur = &p->defaults; /* Python merges repeated [DEFAULT] headers */
        return 0;
    }
    size_t i = strindex_get(&p->f->by_name, name, len);
    if (i != STRINDEX_NONE) {
        if (!(p->flags & INI_ALLOW_DUPLICATES))
            return ini_fail(p, "section [%s] appears a second time", shown);
        p->cur = &p->f->sections[i];
        return 0;
    }
    p->cur = ini_add_section(p->f, name, len, p->lineno);
    return 0;
}

static char *ini_lower_key(const char *k, size_t n)
{
    char *key = xstrndup(k, n);
    for (char *c = key; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
    return key;
}

/* `key = value` or `key: value`, split at the first delimiter. t is trimmed. */
static int ini_option(ini_parser *p, const char *t, size_t n)
{
    size_t d = 0;
    while (d < n && t[d] != '=' && t[d] != ':')
        d++;
    if (d == n)
        return ini_fail(p, "expected `key = value`, a [section] header or a comment%s", NULL);
    size_t klen = d;
    while (klen > 0 && ini_isspace((unsigned char)t[klen - 1]))
        klen--;
    if (klen == 0)
        return ini_fail(p, "a line starts with `=` or `:` but has no key name%s", NULL);
    ini_finish_value(p);
    char *key = ini_lower_key(t, klen);
    size_t v = d + 1;
    while (v < n && ini_isspace((unsigned char)t[v]))
        v++;
    for (size_t i = 0; i < p->cur->count; i++) {
        if (strcmp(p->cur->entries[i].key, key) != 0)
            continue;
        if (!(p->flags & INI_ALLOW_DUPLICATES)) {
            char shown[65];
            snprintf(shown, sizeof shown, "%.64s", key);
            free(key);
            return ini_fail(p, "key `%s` appears a second time in its section", shown);
        }
        free(key);
        p->cur->entries[i].line = p->lineno;
        p->opt = i;
        ini_value_append(p, t + v, n - v);
        return 0;
    }
    ini_add_entry(p->cur, key, p->lineno);
    p->opt = p->cur->count - 1;
    ini_value_append(p, t + v, n - v);
    return 0;
}

/* Header or option line, already trimmed (t, n). */
static int ini_statement(ini_parser *p, const char *t, size_t n)
{
    /* Python's `\[(?P<header>.+)\]` matched at the start: the name runs to
     * the last `]`, and anything after it is ignored. */
    if (t[0] == '[') {
        const char *close = NULL;
        for (const char *c = t + n - 1; c > t + 1; c--)
            if (*c == ']') {
                close = c;
                break;
            }
        if (close)
            return ini_header(p, t + 1, (size_t)(close - t - 1));
    }
    if (!p->cur)
        return ini_fail(p, "a key comes before the first [section] header%s", NULL);
    return ini_option(p, t, n);
}

static int ini_line(ini_parser *p, const char *s, size_t n)
{
    if (memchr(s, '\0', n))
        return ini_fail(p, "the file contains a NUL byte%s", NULL);
    size_t a = 0, b = n;
    while (a < n && ini_isspace((unsigned char)s[a]))
        a++;
    while (b > a && ini_isspace((unsigned char)s[b - 1]))
        b--;
    if (a == b) {
        /* Blank lines belong to a value being continued (Python's
         * empty_lines_in_values); trailing ones are trimmed later. */
        if (p->opt != NO_OPTION)
            ini_value_append(p, "\n", 1);
        return 0;
    }
    if (s[a] == '#' || s[a] == ';')
        return 0;
    if (p->opt != NO_OPTION && a > p->indent) {
        ini_value_append(p, "\n", 1);
        ini_value_append(p, s + a, b - a);
        return 0;
    }
    p->indent = a;
    return ini_statement(p, s + a, b - a);
}

/* Gives [DEFAULT]'s keys to every section that lacks them, as
 * RawConfigParser.options()/get() do. */
static void ini_merge_defaults(ini_parser *p)
{
    for (size_t i = 0; i < p->f->count; i++) {
        ini_section *s = &p->f->sections[i];
        for (size_t j = 0; j < p->defaults.count; j++) {
            const ini_entry *d = &p->defaults.entries[j];
            if (ini_find_entry(s, d->key))
                continue;
            ini_entry *e = ini_add_entry(s, xstrdup(d->key), d->line);
            e->value = xstrdup(d->value);
        }
    }
}

static int ini_run(ini_parser *p, const char *text, size_t len)
{
    const char *s = text, *end = text + len;
    while (s < end) {
        const char *e = s;
        while (e < end && *e != '\n' && *e != '\r')
            e++;
        p->lineno++;
        if (ini_line(p, s, (size_t)(e - s)) < 0)
            return -1;
        if (e < end && *e == '\r' && e + 1 < end && e[1] == '\n')
            e++;
        s = e + 1;
    }
    ini_finish_value(p);
    ini_merge_defaults(p);
    return 0;
}

int ini_parse(const char *text, size_t len, unsigned flags, ini_file **out, ini_error *err)
{
    ini_error scratch;
    ini_parser p;
    memset(&p, 0, sizeof p);
    p.err = err ? err : &scratch;
    memset(p.err, 0, sizeof *p.err);
    p.f = xcalloc(1, sizeof *p.f);
    p.flags = flags;
    p.opt = NO_OPTION;
    p.vcap = len + 2;
    p.vbuf = xmalloc(p.vcap);
    int rc = ini_run(&p, text, len);
    OPENSSL_cleanse(p.vbuf, p.vcap);
    free(p.vbuf);
    ini_section_clear(&p.defaults);
    if (rc < 0) {
        ini_free(p.f);
        *out = NULL;
        return -1;
    }
    *out = p.f;
    return 0;
}

static const char *ini_trim(const char *s, const char *end, const char **tend)
{
    while (s < end && ini_isspace((unsigned char)*s))
        s++;
    while (end > s && ini_isspace((unsigned char)end[-1]))
        end--;
    *tend = end;
    return s;
}

int ini_nested_check(const char *value)
{
    int idx = 0;
    for (const char *s = value; *s;) {
        const char *e = strchr(s, '\n'), *te;
        if (!e)
            e = s + strlen(s);
        const char *t = ini_trim(s, e, &te);
        if (t < te) {
            idx++;
            if (!memchr(t, '=', (size_t)(te - t)))
                return idx;
        }
        s = *e ? e + 1 : e;
    }
    return 0;
}

int ini_nested_get(const char *value, const char *key, char *out, size_t out_len)
{
    int found = -1;
    size_t klen = strlen(key);
    for (const char *s = value; *s;) {
        const char *e = strchr(s, '\n'), *ke, *ve;
        if (!e)
            e = s + strlen(s);
        const char *eq = memchr(s, '=', (size_t)(e - s));
        if (eq) {
            const char *k = ini_trim(s, eq, &ke);
            const char *v = ini_trim(eq + 1, e, &ve);
            /* Later lines win, as botocore builds a dict from them. */
            if ((size_t)(ke - k) == klen && memcmp(k, key, klen) == 0) {
                found = (size_t)(ve - v) < out_len ? 0 : -1;
                if (found == 0)
                    snprintf(out, out_len, "%.*s", (int)(ve - v), v);
            }
        }
        s = *e ? e + 1 : e;
    }
    return found;
}
