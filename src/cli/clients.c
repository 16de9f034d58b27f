#include "cli/clients.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cli_spot_option(cli_spot_options *o, int id, const char *arg)
{
    switch (id) {
    case OPT_TOKEN_FILE:
        o->token_file = arg;
        return 1;
    case OPT_SPOT_ACCOUNT:
        o->account = arg;
        return 1;
    case OPT_SPOT_ENDPOINT:
        o->endpoint = arg;
        return 1;
    default:
        return 0;
    }
}

status_t cli_check_endpoints(const cli_spot_options *so, sc_error *err)
{
    return spot_check_endpoint(so->endpoint, err);
}

status_t cli_open_aws(const cli_aws_options *o, api_log_fn log, void *log_ctx, aws_session **out,
                      sc_error *err)
{
    aws_session_options so;
    cli_session_options(o, &so);
    so.log = log;
    so.log_ctx = log_ctx;
    return aws_session_open(&so, out, err);
}

status_t cli_open_spot(const cli_spot_options *so, const cli_aws_options *ao, api_log_fn log,
                       void *log_ctx, spot_auth *auth, spot_client **out, sc_error *err)
{
    *out = NULL;
    status_t st = spot_auth_resolve(so->token_file, so->account, auth, err);
    if (st != ST_OK)
        return st;
    if (auth->warning[0])
        cli_line(stderr, "spot-connect: warning: %s", auth->warning);
    http_options http = {.connect_timeout_ms = ao->connect_timeout_ms,
                         .timeout_ms = ao->timeout_ms,
                         .cancel = ao->cancel};
    return spot_open(auth, so->endpoint, ao->ca_bundle, &http, log, log_ctx, out, err);
}
