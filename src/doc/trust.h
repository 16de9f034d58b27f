/* The trust policy of the role Spot assumes. */
#ifndef SC_TRUST_H
#define SC_TRUST_H

#include <yajl/yajl_tree.h>

#include "util/error.h"

/* Spot's AWS account in the commercial partition. GovCloud and China have
 * no public value: the operator must give the one the Spot console shows. */
#define TRUST_SPOT_ACCOUNT_AWS "922761411349"
#define TRUST_SECURITY_AUDIT_POLICY "policy/SecurityAudit" /* arn:<partition>:iam::aws: + this */

/* The principal account for a partition: spot_principal when given (12
 * digits, else ST_BAD_INPUT), else Spot's for "aws"; for aws-us-gov and
 * aws-cn without one, ST_BAD_INPUT saying --spot-principal is required. */
status_t trust_principal(const char *partition, const char *spot_principal, char out[13],
                         sc_error *err);
/* {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":
 * "arn:<partition>:iam::<account>:root"},"Action":"sts:AssumeRole","Condition":
 * {"StringEquals":{"sts:ExternalId":"<id>"}}}]}, compact. The external ID is
 * checked against AWS's rules (2-1224 characters of [\w+=,.@:/-]). */
status_t trust_policy_build(const char *partition, const char *principal_account,
                            const char *external_id, char **json, sc_error *err);
/* The External ID a trust policy requires, or NULL (caller frees). */
char *trust_policy_external_id(const char *json);
/* The one External ID a trust statement requires (StringEquals
 * sts:ExternalId, the key in any case, a list of one value), or NULL. */
const char *trust_statement_external_id(yajl_val statement);

#endif
