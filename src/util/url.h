/* URL encodings as AWS and its emulators expect them. */
#ifndef SC_URL_H
#define SC_URL_H

#include "util/buf.h"

/* Form encoding as Python's quote_plus with safe "-_.~": space becomes '+',
 * everything else outside A-Za-z0-9-_.~ becomes %XX in uppercase. moto
 * re-encodes bodies this way before checking signatures. */
void url_form_encode(buf_t *out, const char *s);
/* Decodes %XX escapes and leaves '+' alone, as IAM policy documents need. */
char *url_percent_decode(const char *s);
/* IAM returns policy documents URL-encoded (moto sometimes raw JSON): decode
 * only when the text starts with an encoded '{'. Caller frees. */
char *url_decode_policy_document(const char *s);

#endif
