#include "cli/clients.h"

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

status_t cli_open_aws(const cli_aws_options *o, api_log_fn log, void *log_ctx, aws_session **out,
                      sc_error *err)
{
    aws_session_options so;
    cli_session_options(o, &so);
    so.log = log;
    so.log_ctx = log_ctx;
    return aws_session_open(&so, out, err);
}

static const char *env_or(const char *value, const char *env)
{
    const char *v = value ? value : getenv(env);
    return v && *v ? v : NULL;
}

status_t cli_open_spot(const cli_spot_options *so, const cli_aws_options *ao, api_log_fn log,
                       void *log_ctx, spot_auth *auth, spot_client **out, sc_error *err)
{
    *out = NULL;
    status_t st = spot_auth_resolve(so->token_file, so->account, auth, err);
    if (st != ST_OK || !auth->token)
        return st;
    spot_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = env_or(so->endpoint, "SPOT_CONNECT_SPOT_ENDPOINT");
    cfg.token = auth->token;
    cfg.http.ca_bundle = env_or(ao->ca_bundle, "SPOT_CONNECT_CA_BUNDLE");
    cfg.http.connect_timeout_ms = ao->connect_timeout_ms;
    cfg.http.timeout_ms = ao->timeout_ms;
    cfg.http.cancel = ao->cancel;
    cfg.log = log;
    cfg.log_ctx = log_ctx;
    *out = spot_client_new(&cfg);
    return ST_OK;
}
