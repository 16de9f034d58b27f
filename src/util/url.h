/* Percent-encoding, the one encoder for every caller. ASCII only: the
 * locale never decides what goes out unencoded. */
#ifndef SC_URL_H
#define SC_URL_H

#include <stddef.h>

#include "util/buf.h"

typedef enum url_encoding {
    /* RFC 3986: everything outside A-Za-z0-9-_.~ becomes %XX in uppercase,
     * as SigV4 and the Spot API want it. */
    URL_RFC3986,
    /* The same with a space as '+': Python's quote_plus with safe "-_.~",
     * which is how moto re-encodes a Query body before checking its
     * signature. */
    URL_FORM,
} url_encoding;

/* Appends s[0..len) encoded to out. */
void url_encode(buf_t *out, const char *s, size_t len, url_encoding how);
/* Appends s[0..len) with %XX escapes (either case) decoded to out; '+' and
 * malformed escapes stay as they are. */
void url_decode(buf_t *out, const char *s, size_t len);
/* url_decode of a C string into a new one, as IAM policy documents need.
 * The caller frees. */
char *url_percent_decode(const char *s);
/* IAM returns policy documents URL-encoded (moto sometimes raw JSON): decode
 * only when the text starts with an encoded '{'. Caller frees. */
char *url_decode_policy_document(const char *s);

#endif
