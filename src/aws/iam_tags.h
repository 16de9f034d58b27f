/* IAM tags and permissions boundaries on an existing role or policy: what
 * a re-run needs to bring them to the company's rules. Errors as iam.h. */
#ifndef SC_IAM_TAGS_H
#define SC_IAM_TAGS_H

#include <stddef.h>

#include "aws/client.h"
#include "aws/iam.h"
#include "util/error.h"

typedef struct iam_tag_list {
    iam_tag *items; /* owned */
    size_t n;
} iam_tag_list;

/* Appends a copy of key and value. */
void iam_tag_list_add(iam_tag_list *l, const char *key, const char *value);
void iam_tag_list_free(iam_tag_list *l);

status_t iam_tag_role(aws_client *c, const char *role, const iam_tag *tags, size_t n,
                      sc_error *err);
status_t iam_untag_role(aws_client *c, const char *role, const char *const *keys, size_t n,
                        sc_error *err);
/* ListRoleTags, every page. */
status_t iam_list_role_tags(aws_client *c, const char *role, iam_tag_list *out, sc_error *err);
status_t iam_put_role_permissions_boundary(aws_client *c, const char *role, const char *policy_arn,
                                           sc_error *err);
status_t iam_delete_role_permissions_boundary(aws_client *c, const char *role, sc_error *err);

status_t iam_tag_policy(aws_client *c, const char *arn, const iam_tag *tags, size_t n,
                        sc_error *err);
status_t iam_untag_policy(aws_client *c, const char *arn, const char *const *keys, size_t n,
                          sc_error *err);
/* ListPolicyTags, every page. */
status_t iam_list_policy_tags(aws_client *c, const char *arn, iam_tag_list *out, sc_error *err);

#endif
