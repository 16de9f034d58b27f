/* Where the Spot token and account come from, first found wins:
 * --token-file, SPOTINST_TOKEN, then the Spot credentials file
 * (SPOTINST_SHARED_CREDENTIALS_FILE or ~/.spotinst/credentials, profile
 * SPOTINST_PROFILE or "default"; INI `token=`/`account=` or the older YAML
 * form). The account: --spot-account, SPOTINST_ACCOUNT, then the file. */
#ifndef SC_SPOT_AUTH_H
#define SC_SPOT_AUTH_H

#include <stddef.h>

#include "net/calllog.h"
#include "util/error.h"

typedef struct spot_auth {
    char *token;     /* secret; NULL when none was found */
    char *account;   /* "act-..." or NULL */
    char source[96]; /* "--token-file", "SPOTINST_TOKEN", "~/.spotinst/credentials [default]" */
    /* Why the credentials file was not used although it is configured (a
     * named file missing, a bad line), when the token came from elsewhere;
     * "" when there is nothing to say. Never quotes the token. */
    char warning[600];
} spot_auth;

/* token_file and account may be NULL. No token found is not an error here
 * (out->token stays NULL): the console method works without one. A named
 * file or profile that cannot be read is ST_CONFIG, with a reason that never
 * quotes the token; once the token is known (--token-file, SPOTINST_TOKEN),
 * such a file is only out->warning. */
status_t spot_auth_resolve(const char *token_file, const char *account, spot_auth *out,
                           sc_error *err);
void spot_auth_clear(spot_auth *a); /* wipes the token */

/* Reads token and account of one profile from the text of a credentials
 * file (INI, YAML or JSON form), as spot_auth_resolve does; either may stay
 * NULL. The text need not end with a NUL. For tests and fuzzing. */
status_t spot_auth_parse_text(const char *text, size_t len, const char *profile, spot_auth *out,
                              sc_error *err);

struct spot_client;
struct http_options;
/* The client for the token found (or for auth->token when the caller set
 * one already, e.g. typed into the wizard): endpoint from the argument or
 * SPOT_CONNECT_SPOT_ENDPOINT, CA bundle from the argument or
 * SPOT_CONNECT_CA_BUNDLE, timeouts and cancel flag from http. *out stays
 * NULL when there is no token. An endpoint that is not an http(s) URL, or
 * that has a user name or password in it, is refused (err says why). */
status_t spot_open(spot_auth *auth, const char *endpoint, const char *ca_bundle,
                   const struct http_options *http, api_log_fn log, void *log_ctx,
                   struct spot_client **out, sc_error *err);
/* ST_BAD_INPUT unless the Spot endpoint (the argument, else
 * SPOT_CONNECT_SPOT_ENDPOINT, else Spot's) is https: the token goes in
 * every request. spot_open checks it too; callers check first to refuse
 * before any connection is made. */
status_t spot_check_endpoint(const char *endpoint, sc_error *err);

#endif
