/* The parts of the Spot client that the unit tests reach directly: the
 * envelope parser, the item readers and the URL builder. Not for callers. */
#ifndef SC_SPOT_INTERNAL_H
#define SC_SPOT_INTERNAL_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "spot/spot.h"
#include "util/buf.h"

/* A parsed 200 answer: {"request":{"id":..},"response":{"items":[..]}}. */
typedef struct spot_answer {
    yajl_val root;       /* NULL when the body was empty */
    yajl_val items;      /* response.items when it is an array, else NULL */
    char request_id[96]; /* request.id, "" when absent */
} spot_answer;

/* Reads one answer. 200 with JSON (or an empty body) is ST_OK; 200 with
 * anything else is ST_PARSE; any other status is ST_SPOT with err->code,
 * message, request_id and http_status filled from the error envelope, which
 * may be missing or not JSON at all. Text equal to token is masked. */
status_t spot_answer_parse(long http_status, const char *body, size_t len, const char *token,
                           spot_answer *out, sc_error *err);
void spot_answer_free(spot_answer *a);

/* A string or number member as text (numbers as written), NULL otherwise.
 * Caller frees. */
char *spot_json_text(yajl_val obj, const char *key);
/* Fills out from an account item ("id" or "accountId"); ST_PARSE without an id. */
status_t spot_account_from_json(yajl_val item, spot_account *out);

/* base (trailing slashes dropped) + path + "?name=value" with value
 * percent-encoded; name NULL for no query. */
void spot_build_url(buf_t *out, const char *base, const char *path, const char *name,
                    const char *value);

#endif
