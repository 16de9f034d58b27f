/* Building the AWS session and the Spot client from command-line options. */
#ifndef SC_CLI_CLIENTS_H
#define SC_CLI_CLIENTS_H

#include "aws/session.h"
#include "cli/cli.h"
#include "spot/auth.h"
#include "spot/spot.h"

enum {
    OPT_TOKEN_FILE = CLI_EXTRA_OPTION + 100,
    OPT_SPOT_ACCOUNT,
    OPT_SPOT_ENDPOINT,
};

/* Long options for the Spot side, for a command's option table. */
#define CLI_SPOT_LONG_OPTIONS                                                                      \
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},                                       \
        {"spot-account", required_argument, NULL, OPT_SPOT_ACCOUNT},                               \
    {                                                                                              \
        "spot-endpoint", required_argument, NULL, OPT_SPOT_ENDPOINT                                \
    }

typedef struct cli_spot_options {
    const char *token_file;
    const char *account;
    const char *endpoint;
} cli_spot_options;

/* 1 when id was a Spot option (stored in o), 0 otherwise. */
int cli_spot_option(cli_spot_options *o, int id, const char *arg);

/* Refuses a Spot endpoint that is not https, before any connection. */
status_t cli_check_endpoints(const cli_spot_options *so, sc_error *err);
/* The AWS session, logging calls to log (may be NULL). */
status_t cli_open_aws(const cli_aws_options *o, api_log_fn log, void *log_ctx, aws_session **out,
                      sc_error *err);
/* The Spot client when a token is found (else *out stays NULL); the
 * endpoint from --spot-endpoint or SPOT_CONNECT_SPOT_ENDPOINT, the CAs as
 * net/tls.h decides. auth receives the token source and account (the caller
 * clears it); its warning, if any, goes to stderr. */
status_t cli_open_spot(const cli_spot_options *so, const cli_aws_options *ao, api_log_fn log,
                       void *log_ctx, spot_auth *auth, spot_client **out, sc_error *err);

#endif
