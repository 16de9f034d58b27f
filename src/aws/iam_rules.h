/* IAM's rules for names, paths, tags and permissions boundaries, checked
 * before any call: a company's naming or tagging mistake is refused at
 * once with the rule it breaks, not after half of the work is done. The
 * messages say the rule; they never hold more than 64 bytes of a value. */
#ifndef SC_IAM_RULES_H
#define SC_IAM_RULES_H

#include <stddef.h>

#include "aws/iam.h"
#include "util/error.h"

#define IAM_RULES_MAX_TAGS 50

/* 1 to 64 characters of letters, digits and +=,.@_- */
status_t iam_rules_role_name(const char *name, sc_error *err);
/* 1 to 128 characters of the same. */
status_t iam_rules_policy_name(const char *name, sc_error *err);
/* Starts and ends with '/', 1 to 512 characters, ASCII 0x21-0x7E. */
status_t iam_rules_path(const char *path, sc_error *err);
/* Key: 1 to 128 characters, value: 0 to 256, both of letters, digits,
 * spaces and _.:/=+-@; a key never starts with "aws:". */
status_t iam_rules_tag(const char *key, const char *value, sc_error *err);
/* Each tag, at most 50 of them, and no key twice (IAM compares tag keys
 * without regard to case). */
status_t iam_rules_tags(const iam_tag *tags, size_t n, sc_error *err);
/* A managed policy's ARN in the partition ("aws", "aws-us-gov", "aws-cn";
 * NULL: any of them): arn:P:iam::ACCOUNT|aws:policy/[PATH/]NAME. */
status_t iam_rules_boundary(const char *arn, const char *partition, sc_error *err);
/* "KEY=VALUE" (split at the first '=') into a tag pointing into a copy
 * the caller frees with free(tag->key); the value may be empty. */
status_t iam_rules_parse_tag(const char *text, iam_tag *tag, sc_error *err);

#endif
