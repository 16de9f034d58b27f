/* An AWS key set, as every signer and provider passes it around. */
#ifndef SC_AWS_CREDENTIALS_H
#define SC_AWS_CREDENTIALS_H

#include <time.h>

typedef struct aws_credentials {
    char *access_key_id;
    char *secret_access_key; /* secret: never printed or logged */
    char *session_token;     /* secret; NULL for long-term keys */
    time_t expiration;       /* 0 = does not expire */
    char *account_id;        /* when the source tells it; may be NULL */
} aws_credentials;

void aws_credentials_clear(aws_credentials *c); /* frees and wipes the secrets */
void aws_credentials_copy(aws_credentials *dst, const aws_credentials *src);

#endif
