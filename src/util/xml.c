#include "util/xml.h"

#include <expat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xalloc.h"

/* Deeper documents are not AWS answers; refusing them bounds the work. */
#define XML_MAX_DEPTH 64
/* Character data of a whole answer, entities expanded: AWS Query answers
 * are a few KiB. Without a cap, expat's amplification limit still lets a
 * 16 MiB answer grow to over a gigabyte of text. */
#define XML_MAX_TEXT ((size_t)1024 * 1024)

typedef enum xml_refusal {
    XML_REFUSE_NONE,
    XML_REFUSE_DEEP,
    XML_REFUSE_DOCTYPE,
    XML_REFUSE_TEXT,
} xml_refusal;

typedef struct xml_builder {
    XML_Parser parser;
    xml_node *root;
    xml_node *cur;
    buf_t text;
    int depth;
    size_t total_text;
    xml_refusal refused;
} xml_builder;

static void refuse(xml_builder *b, xml_refusal why)
{
    if (!b->refused)
        b->refused = why;
    XML_StopParser(b->parser, XML_FALSE);
}

static const char *local_name(const char *name)
{
    /* The parser is created with ' ' as namespace separator. */
    const char *sep = strrchr(name, ' ');
    return sep ? sep + 1 : name;
}

/* In constant time: a list answer can hold many thousands of members. */
static void append_child(xml_node *parent, xml_node *child)
{
    if (parent->last_child)
        parent->last_child->next = child;
    else
        parent->children = child;
    parent->last_child = child;
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **attrs)
{
    (void)attrs;
    xml_builder *b = ud;
    if (b->refused)
        return;
    if (++b->depth > XML_MAX_DEPTH) {
        refuse(b, XML_REFUSE_DEEP);
        return;
    }
    xml_node *n = xcalloc(1, sizeof *n);
    n->name = xstrdup(local_name(name));
    n->parent = b->cur;
    if (b->cur)
        append_child(b->cur, n);
    else
        b->root = n;
    b->cur = n;
    buf_reset(&b->text);
}

static void on_end(void *ud, const XML_Char *name)
{
    (void)name;
    xml_builder *b = ud;
    b->depth--;
    if (!b->cur || b->refused)
        return;
    /* Only leaf text matters for AWS answers; mixed content is whitespace. */
    b->cur->text = b->cur->children ? xstrdup("") : xstrdup(buf_str(&b->text));
    buf_reset(&b->text);
    b->cur = b->cur->parent;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
    xml_builder *b = ud;
    b->total_text += (size_t)len;
    if (b->refused)
        return;
    if (b->total_text > XML_MAX_TEXT) {
        refuse(b, XML_REFUSE_TEXT);
        return;
    }
    buf_append(&b->text, s, (size_t)len);
}

/* AWS answers never carry a DTD; entity declarations are how an answer
 * expands, so any DOCTYPE ends the parse before its subset is read. */
static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid, const XML_Char *pubid,
                       int has_internal_subset)
{
    (void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
    refuse(ud, XML_REFUSE_DOCTYPE);
}

static status_t refusal_error(const xml_builder *b, sc_error *err)
{
    switch (b->refused) {
    case XML_REFUSE_DEEP:
        return error_set(err, ST_PARSE, "XML nested deeper than %d levels", XML_MAX_DEPTH);
    case XML_REFUSE_DOCTYPE:
        return error_set(err, ST_PARSE, "XML with a DOCTYPE (line %lu), which no AWS answer has",
                         (unsigned long)XML_GetCurrentLineNumber(b->parser));
    default:
        return error_set(err, ST_PARSE, "XML with more than %zu bytes of text", XML_MAX_TEXT);
    }
}

status_t xml_parse(const char *data, size_t len, xml_node **root, sc_error *err)
{
    xml_builder b = {0};
    *root = NULL;
    if (len > INT_MAX) /* expat takes an int */
        return error_set(err, ST_PARSE, "XML larger than %d bytes", INT_MAX);
    b.parser = XML_ParserCreateNS(NULL, ' ');
    buf_init_secret(&b.text); /* STS answers carry credentials */
    XML_SetUserData(b.parser, &b);
    XML_SetElementHandler(b.parser, on_start, on_end);
    XML_SetCharacterDataHandler(b.parser, on_text);
    XML_SetStartDoctypeDeclHandler(b.parser, on_doctype);
    enum XML_Status st = XML_Parse(b.parser, data ? data : "", (int)len, XML_TRUE);
    status_t rc = ST_OK;
    if (b.refused)
        rc = refusal_error(&b, err);
    else if (st != XML_STATUS_OK || !b.root)
        rc = error_set(err, ST_PARSE, "malformed XML at line %lu: %s",
                       (unsigned long)XML_GetCurrentLineNumber(b.parser),
                       b.root ? XML_ErrorString(XML_GetErrorCode(b.parser)) : "no element");
    XML_ParserFree(b.parser);
    buf_free(&b.text);
    if (rc != ST_OK) {
        xml_free(b.root);
        return rc;
    }
    *root = b.root;
    return ST_OK;
}

void xml_free(xml_node *n)
{
    while (n) {
        xml_node *next = n->next;
        xml_free(n->children);
        free(n->name);
        buf_wipe_str(n->text);
        free(n);
        n = next;
    }
}

const xml_node *xml_child(const xml_node *n, const char *name)
{
    for (const xml_node *c = n ? n->children : NULL; c; c = c->next)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

const xml_node *xml_path(const xml_node *n, const char *path)
{
    char part[128];
    while (n && *path) {
        size_t len = strcspn(path, "/");
        if (len >= sizeof part)
            return NULL;
        memcpy(part, path, len);
        part[len] = '\0';
        n = xml_child(n, part);
        path += len;
        if (*path == '/')
            path++;
    }
    return n;
}

const char *xml_text(const xml_node *n, const char *path)
{
    const xml_node *t = xml_path(n, path);
    return t ? t->text : NULL;
}

const xml_node *xml_find(const xml_node *n, const char *name)
{
    for (const xml_node *c = n ? n->children : NULL; c; c = c->next) {
        if (strcmp(c->name, name) == 0)
            return c;
        const xml_node *hit = xml_find(c, name);
        if (hit)
            return hit;
    }
    return NULL;
}
