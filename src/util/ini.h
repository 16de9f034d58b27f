/* INI files read the way Python's configparser.RawConfigParser reads them
 * with its defaults, because that is how the AWS CLI (botocore) reads
 * ~/.aws/config and ~/.aws/credentials:
 *   - `[name]` headers (the name is everything up to the last `]`);
 *   - `key = value` or `key: value`, split at the first `=` or `:`; keys are
 *     lowercased, values trimmed;
 *   - lines whose first non-blank character is `#` or `;` are comments; an
 *     inline `; text` after a value is part of the value (Python 3 default);
 *   - lines indented deeper than their key continue its value, joined with
 *     '\n' (so `s3 =` followed by an indented block gives "\nk = v...");
 *   - a `[DEFAULT]` section is not a section: its keys fill in every other
 *     section that lacks them;
 *   - a section or key that appears twice in one file is an error (Python's
 *     strict mode), unless INI_ALLOW_DUPLICATES asks for "later wins". */
#ifndef SC_INI_H
#define SC_INI_H

#include <stddef.h>

#include "util/strindex.h"

typedef struct ini_entry {
    char *key;   /* lowercased */
    char *value; /* may hold a secret: wiped by ini_free */
    int line;    /* 1-based line of the key */
} ini_entry;

typedef struct ini_section {
    char *name; /* as written between the brackets, not trimmed */
    int line;
    ini_entry *entries;
    size_t count;
    size_t cap;
} ini_section;

typedef struct ini_file {
    ini_section *sections; /* file order, [DEFAULT] excluded */
    size_t count;
    size_t cap;
    str_index by_name; /* section name -> index in sections */
} ini_file;

typedef struct ini_error {
    int line;          /* 0 when not about a line */
    char message[160]; /* never quotes a value */
} ini_error;

enum { INI_ALLOW_DUPLICATES = 1 };

/* Parses len bytes of text. Returns 0 and sets *out, or -1 with err filled. */
int ini_parse(const char *text, size_t len, unsigned flags, ini_file **out, ini_error *err);
/* Frees the file, wiping every value. NULL is fine. */
void ini_free(ini_file *f);

const ini_section *ini_find_section(const ini_file *f, const char *name);
const ini_entry *ini_find_entry(const ini_section *s, const char *key);
/* The value of key in s, NULL when s is NULL or has no such key. */
const char *ini_get(const ini_section *s, const char *key);

/* In a nested block value ("\nk1 = v1\nk2 = v2", botocore's subsections),
 * finds k and copies its trimmed value into out. Keys here are case-sensitive,
 * as botocore leaves them. Returns 0, or -1 when absent or out is too small. */
int ini_nested_get(const char *value, const char *key, char *out, size_t out_len);
/* 0 when every non-blank line of a nested block has an `=`, else the 1-based
 * index of the first bad line within the block (botocore rejects the file). */
int ini_nested_check(const char *value);

#endif
