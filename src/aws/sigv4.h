/* AWS Signature Version 4, computed with OpenSSL so that it can be checked
 * against the published vectors with a fixed clock. */
#ifndef SC_SIGV4_H
#define SC_SIGV4_H

#include <stddef.h>
#include <time.h>

#include "aws/credentials.h"

typedef struct sigv4_header {
    const char *name; /* any case; lowercased for signing */
    const char *value;
} sigv4_header;

typedef struct sigv4_input {
    const char *method;
    const char *path;            /* raw path from the request line, e.g. "/" or "/a/../b" */
    const char *query;           /* raw query without '?', "" or NULL when none */
    const sigv4_header *headers; /* every header to sign, Host and X-Amz-Date included */
    size_t nheaders;
    const void *payload;
    size_t payload_len;
    const char *region;
    const char *service;
    const char *amz_date; /* "YYYYMMDDTHHMMSSZ" */
} sigv4_input;

typedef struct sigv4_output {
    char *canonical_request;
    char *string_to_sign;
    char signature[65];  /* lowercase hex */
    char *authorization; /* full Authorization header value */
} sigv4_output;

/* Formats t (UTC) as "YYYYMMDDTHHMMSSZ". */
void sigv4_amz_date(time_t t, char out[17]);
/* Returns 0 on success, -1 when the input cannot be signed (missing fields). */
int sigv4_sign(const sigv4_input *in, const aws_credentials *creds, sigv4_output *out);
void sigv4_output_free(sigv4_output *out);
/* Lowercase hex SHA-256 of data. */
void sigv4_sha256_hex(const void *data, size_t n, char out[65]);

#endif
