/* The IAM permission policy Spot needs (assets/spot-policy.json, embedded at
 * build time): permission bundles, partition rewriting, size limits. */
#ifndef SC_POLICY_H
#define SC_POLICY_H

#include <stddef.h>

#include "util/error.h"

/* IAM's limit for a managed policy, counted without whitespace. */
#define POLICY_MAX_CHARS 6144

/* The bundles are the Sids of the default policy's statements, in order. */
size_t policy_bundle_count(void);
const char *policy_bundle_name(size_t i);
/* For people: the product or integration a bundle serves, and one line on
 * what it allows (the raw Sid when the bundle is not a known one). */
const char *policy_bundle_title(size_t i);
const char *policy_bundle_about(size_t i);

typedef struct policy_options {
    const char *partition;      /* "aws", "aws-us-gov", "aws-cn"; NULL = "aws" */
    const char *const *bundles; /* NULL = every bundle */
    size_t nbundles;
    const char *policy_file; /* NULL = the embedded default policy */
} policy_options;

/* Builds the policy to send: validated (JSON object with "Version" and a
 * non-empty "Statement"), bundles selected (refused with ST_BAD_INPUT for
 * aws-us-gov/aws-cn, where the console allows no customisation, or for an
 * unknown bundle name), every "arn:aws:" rewritten for the partition, and
 * compacted. Over POLICY_MAX_CHARS non-whitespace characters is ST_BAD_INPUT
 * naming the size. *json is the compact text. */
status_t policy_build(const policy_options *opt, char **json, sc_error *err);
/* The same without the size check: a policy over the limit is split by
 * policy_split (doc/policy_split.h) into managed policies that fit. */
status_t policy_build_whole(const policy_options *opt, char **json, sc_error *err);
/* The same document indented for reading. */
char *policy_pretty(const char *json);
/* Characters other than JSON whitespace, as IAM counts them. */
size_t policy_size(const char *json);
/* 1 when both texts are the same JSON value (key order and spacing aside). */
int policy_equal(const char *a, const char *b);

#endif
