/* The AWS Query protocol: a signed form POST, an XML answer, typed errors,
 * and bounded retries that never repeat a call whose repetition could
 * duplicate something. Used by iam.c and sts.c. */
#ifndef SC_QUERY_H
#define SC_QUERY_H

#include "aws/client.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xml.h"

/* How safe it is to send a call again when its outcome is unknown. */
typedef enum query_retry {
    QUERY_IDEMPOTENT,    /* reads, attach, update: repeating changes nothing */
    QUERY_UNIQUE_NAME,   /* creates keyed by name: a repeat fails EntityAlreadyExists */
    QUERY_NOT_IDEMPOTENT /* CreatePolicyVersion: repeat only if surely not processed */
} query_retry;

typedef struct query_params {
    buf_t body;
} query_params;

void query_init(query_params *q, aws_service svc, const char *action);
void query_add(query_params *q, const char *name, const char *value);
void query_add_int(query_params *q, const char *name, long value);
void query_free(query_params *q); /* wipes the body: it may hold an MFA code or token */

typedef struct query_result {
    xml_node *root;
    const xml_node *result; /* <ActionResult>, NULL for calls with no output */
    char request_id[96];
    int retried; /* 1 when more than one attempt was made */
} query_result;

/* Sends the call (signed unless sign is 0), retrying as the class allows.
 * An AWS error answer gives ST_AWS with err->code, message, request_id and
 * http_status filled in. */
status_t query_call(aws_client *c, aws_service svc, const char *action, query_params *q,
                    query_retry retry, int sign, query_result *out, sc_error *err);
void query_result_free(query_result *r);

/* Text of a child of the result element, or NULL. */
const char *query_text(const query_result *r, const char *path);

#endif
