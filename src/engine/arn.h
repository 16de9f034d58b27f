/* Role ARNs as operators paste them into the manual path. */
#ifndef SC_ARN_H
#define SC_ARN_H

#include <stddef.h>

#include "util/error.h"

typedef struct role_arn {
    char partition[16];
    char account[13];
    char name[65]; /* without the path */
} role_arn;

/* Checks arn:<partition>:iam::<12 digits>:role/[path/]name. When partition
 * or account is given, the ARN must match it. ST_BAD_INPUT says exactly
 * what is wrong with it. */
status_t arn_parse_role(const char *arn, const char *partition, const char *account, role_arn *out,
                        sc_error *err);

#endif
