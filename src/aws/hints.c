#include "aws/hints.h"

#include <stddef.h>
#include <string.h>

typedef struct hint {
    const char *code;
    const char *text;
} hint;

static const hint code_hints[] = {
    {"SignatureDoesNotMatch",
     "check the secret access key for this access key ID, and that the system clock is right"},
    {"InvalidClientTokenId",
     "AWS does not know this access key ID: check the key, and that it belongs to this partition"},
    {"UnrecognizedClientException", "AWS does not know this access key ID: check the key"},
    {"ExpiredToken", "the session token has expired: get fresh credentials and run again"},
    {"ExpiredTokenException", "the session token has expired: get fresh credentials and run again"},
    {"AccessDenied", "this identity lacks the permission named above: ask an AWS administrator"},
    {"AccessDeniedException", "this identity lacks the permission: ask an AWS administrator"},
    {"Throttling", "AWS is throttling these requests: wait a minute and run again"},
    {"RegionDisabledException", "STS is not enabled in this region: choose another with --region"},
    {"InvalidIdentityToken", "the web identity token was rejected: check the token file"},
    {"IncompleteSignature", "the request was not signed completely: please report this"},
    {"MissingAuthenticationToken", "the request carried no credentials: please report this"},
};

static const char *status_hint(status_t st)
{
    switch (st) {
    case ST_NET_CONNECT:
        return "check the network, the endpoint and any HTTPS_PROXY setting";
    case ST_TIMEOUT:
        return "the endpoint is slow or unreachable: try again, or raise --timeout";
    case ST_TLS:
        return NULL; /* the message already names --ca-bundle */
    case ST_MISSING_ANSWER:
        return "run it on a terminal, or provide the answer on standard input";
    default:
        return NULL;
    }
}

const char *aws_error_hint(const sc_error *err)
{
    if (err->status != ST_AWS)
        return status_hint(err->status);
    for (size_t i = 0; i < sizeof code_hints / sizeof code_hints[0]; i++)
        if (strcmp(err->code, code_hints[i].code) == 0)
            return code_hints[i].text;
    if (err->http_status >= 500)
        return "AWS had an internal error: try again in a moment";
    return NULL;
}
