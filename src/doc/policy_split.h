/* A policy past IAM's size limit, split by whole statements into the fewest
 * managed policies that each fit: Spot-Policy, Spot-Policy-2, ... */
#ifndef SC_POLICY_SPLIT_H
#define SC_POLICY_SPLIT_H

#include <stddef.h>

#include "util/error.h"

/* IAM attaches at most this many managed policies to a role (its default
 * quota, SecurityAudit and policies of others included). */
#define POLICY_MAX_PER_ROLE 10

typedef struct policy_parts {
    char **docs; /* compact JSON, in the order they are named */
    size_t n;
} policy_parts;

/* Splits the compact policy json into documents of at most limit characters
 * (as policy_size counts; POLICY_MAX_CHARS for IAM). A policy that fits is
 * one part, unchanged. Otherwise every part keeps the other top-level
 * members ("Version", "Id") and gets whole statements, in their order; a
 * statement too big alone is cut by its "Action" list into statements Sid1,
 * Sid2, ... The fewest parts: see the packing in policy_split.c. A statement
 * that cannot be cut (one action, or "NotAction") and is still too big is
 * ST_BAD_INPUT naming the policy's size, the limit and the statement; the
 * caller prefixes what the policy is (a file's name). */
status_t policy_split(const char *json, size_t limit, policy_parts *out, sc_error *err);
/* "Spot-Policy" for part 0, "Spot-Policy-2" for part 1, ... (caller frees). */
char *policy_part_name(const char *base, size_t i);
void policy_parts_free(policy_parts *p);

#endif
