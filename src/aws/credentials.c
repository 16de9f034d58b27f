#include "aws/credentials.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void aws_credentials_clear(aws_credentials *c)
{
    free(c->access_key_id);
    xfree_secret(c->secret_access_key);
    xfree_secret(c->session_token);
    free(c->account_id);
    memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void aws_credentials_copy(aws_credentials *dst, const aws_credentials *src)
{
    dst->access_key_id = dup_or_null(src->access_key_id);
    dst->secret_access_key = dup_or_null(src->secret_access_key);
    dst->session_token = dup_or_null(src->session_token);
    dst->expiration = src->expiration;
    dst->account_id = dup_or_null(src->account_id);
}
