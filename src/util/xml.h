/* A small read-only XML tree built with expat, enough for AWS Query API
 * answers. Namespaces are dropped: AWS and its emulators disagree on them. */
#ifndef SC_XML_H
#define SC_XML_H

#include <stddef.h>

#include "util/error.h"

typedef struct xml_node {
    char *name; /* local name, namespace removed */
    char *text; /* concatenated character data, "" when none */
    struct xml_node *children;
    struct xml_node *last_child; /* where the parser appends */
    struct xml_node *next;
    struct xml_node *parent;
} xml_node;

/* Parses a whole document. On failure returns ST_PARSE with expat's reason. */
status_t xml_parse(const char *data, size_t len, xml_node **root, sc_error *err);
void xml_free(xml_node *root);

/* The first child named name, or NULL. */
const xml_node *xml_child(const xml_node *n, const char *name);
/* Follows a '/'-separated path of child names: "Result/Role/Arn". */
const xml_node *xml_path(const xml_node *n, const char *path);
/* Text at path, or NULL when the element is missing. */
const char *xml_text(const xml_node *n, const char *path);
/* The first element named name anywhere below n, depth first. */
const xml_node *xml_find(const xml_node *n, const char *name);

#endif
