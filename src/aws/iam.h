/* AWS IAM calls over the Query API: the managed policy and the role that
 * Spot assumes. Errors come back as ST_AWS with err->code to branch on
 * (EntityAlreadyExists, NoSuchEntity, MalformedPolicyDocument, LimitExceeded,
 * DeleteConflict, AccessDenied, ...). */
#ifndef SC_IAM_H
#define SC_IAM_H

#include <stddef.h>
#include <time.h>

#include "aws/client.h"
#include "util/error.h"

typedef struct iam_policy {
    char *name;
    char *id;
    char *arn;
    char *path;
    char *default_version_id;
    long attachment_count;
} iam_policy;

typedef struct iam_policy_version {
    char *version_id;
    int is_default;
    char *document; /* decoded JSON; NULL when the call does not return it */
    time_t create_date;
} iam_policy_version;

typedef struct iam_policy_versions {
    iam_policy_version *items; /* in the order IAM lists them */
    size_t n;
} iam_policy_versions;

typedef struct iam_role {
    char *name;
    char *id;
    char *arn;
    char *path;
    char *trust_policy; /* decoded JSON */
    long max_session_duration;
    char *boundary; /* the permissions boundary's policy ARN, NULL for none */
} iam_role;

typedef struct iam_roles {
    iam_role *items;
    size_t n;
} iam_roles;

typedef struct iam_attached_policies {
    char **names;
    char **arns;
    size_t n;
} iam_attached_policies;

/* A tag as IAM keeps it on a role or a policy. */
typedef struct iam_tag {
    char *key;
    char *value;
} iam_tag;

/* What a company's rules add to a created role or policy (iam_rules.h
 * checks them first). */
typedef struct iam_extras {
    const char *path;     /* NULL = "/" */
    const char *boundary; /* roles only; NULL = none */
    const iam_tag *tags;
    size_t ntags;
} iam_extras;

/* The exact code of an AWS error, for branching: iam_is(err, "NoSuchEntity"). */
int iam_is(const sc_error *err, const char *code);

status_t iam_create_policy(aws_client *c, const char *name, const char *document,
                           const char *description, iam_policy *out, sc_error *err);
/* CreatePolicy with Path and Tags (x may be NULL). */
status_t iam_create_policy_with(aws_client *c, const char *name, const char *document,
                                const char *description, const iam_extras *x, iam_policy *out,
                                sc_error *err);
status_t iam_get_policy(aws_client *c, const char *arn, iam_policy *out, sc_error *err);
status_t iam_delete_policy(aws_client *c, const char *arn, sc_error *err);
void iam_policy_free(iam_policy *p);

status_t iam_get_policy_version(aws_client *c, const char *arn, const char *version_id,
                                iam_policy_version *out, sc_error *err);
status_t iam_create_policy_version(aws_client *c, const char *arn, const char *document,
                                   int set_as_default, iam_policy_version *out, sc_error *err);
status_t iam_list_policy_versions(aws_client *c, const char *arn, iam_policy_versions *out,
                                  sc_error *err);
status_t iam_delete_policy_version(aws_client *c, const char *arn, const char *version_id,
                                   sc_error *err);
void iam_policy_version_free(iam_policy_version *v);
void iam_policy_versions_free(iam_policy_versions *vs);

status_t iam_create_role(aws_client *c, const char *name, const char *trust_policy,
                         const char *description, iam_role *out, sc_error *err);
/* CreateRole with Path, PermissionsBoundary and Tags (x may be NULL). */
status_t iam_create_role_with(aws_client *c, const char *name, const char *trust_policy,
                              const char *description, const iam_extras *x, iam_role *out,
                              sc_error *err);
status_t iam_get_role(aws_client *c, const char *name, iam_role *out, sc_error *err);
status_t iam_update_assume_role_policy(aws_client *c, const char *name, const char *trust_policy,
                                       sc_error *err);
status_t iam_delete_role(aws_client *c, const char *name, sc_error *err);
void iam_role_free(iam_role *r);
/* ListRoles, every page (trust policies included, decoded). */
status_t iam_list_roles(aws_client *c, iam_roles *out, sc_error *err);
void iam_roles_free(iam_roles *rs);

status_t iam_attach_role_policy(aws_client *c, const char *role, const char *policy_arn,
                                sc_error *err);
status_t iam_detach_role_policy(aws_client *c, const char *role, const char *policy_arn,
                                sc_error *err);
status_t iam_list_attached_role_policies(aws_client *c, const char *role,
                                         iam_attached_policies *out, sc_error *err);
void iam_attached_policies_free(iam_attached_policies *a);

#endif
