#include "aws/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/client_internal.h"
#include "net/preconnect.h"
#include "util/env.h"
#include "util/xalloc.h"

#define DEFAULT_MAX_ATTEMPTS 3

struct aws_client {
    aws_client_config cfg; /* strings below are owned copies */
    const partition_info *partition;
    int max_attempts;
};

static const char *dup_opt(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

static int env_max_attempts(void)
{
    const char *v = env_get("AWS_MAX_ATTEMPTS");
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    return end && end != v && *end == '\0' && n > 0 && n <= 20 ? (int)n : DEFAULT_MAX_ATTEMPTS;
}

aws_client *aws_client_new(const aws_client_config *cfg)
{
    aws_client *c = xcalloc(1, sizeof *c);
    c->cfg = *cfg;
    c->cfg.region = xstrdup(cfg->region && *cfg->region ? cfg->region : "us-east-1");
    c->cfg.endpoint_url = dup_opt(cfg->endpoint_url);
    c->cfg.iam_endpoint_url = dup_opt(cfg->iam_endpoint_url);
    c->cfg.sts_endpoint_url = dup_opt(cfg->sts_endpoint_url);
    c->cfg.http.ca_bundle = dup_opt(cfg->http.ca_bundle);
    c->cfg.http.ca_dir = dup_opt(cfg->http.ca_dir);
    c->partition = partition_for_region(c->cfg.region);
    c->max_attempts = cfg->max_attempts > 0 ? cfg->max_attempts : env_max_attempts();
    c->cfg.max_attempts = c->max_attempts;
    return c;
}

void aws_client_free(aws_client *c)
{
    if (!c)
        return;
    free((char *)c->cfg.region);
    free((char *)c->cfg.endpoint_url);
    free((char *)c->cfg.iam_endpoint_url);
    free((char *)c->cfg.sts_endpoint_url);
    free((char *)c->cfg.http.ca_bundle);
    free((char *)c->cfg.http.ca_dir);
    free(c);
}

const char *aws_client_region(const aws_client *c)
{
    return c->cfg.region;
}

const partition_info *aws_client_partition(const aws_client *c)
{
    return c->partition;
}

creds_provider *aws_client_creds(const aws_client *c)
{
    return c->cfg.creds;
}

const aws_client_config *aws_client_get_config(const aws_client *c)
{
    return &c->cfg;
}

int aws_client_max_attempts(const aws_client *c)
{
    return c->max_attempts;
}

void aws_client_log(const aws_client *c, const api_call_log *entry)
{
    if (c->cfg.log)
        c->cfg.log(c->cfg.log_ctx, entry);
}

/* IAM is one global endpoint per partition; STS is regional, as botocore's
 * default "regional" STS endpoint mode. Overrides keep the signing region. */
void aws_client_endpoint(const aws_client *c, aws_service svc, aws_endpoint *out)
{
    const char *override = svc == AWS_IAM ? c->cfg.iam_endpoint_url : c->cfg.sts_endpoint_url;
    if (!override)
        override = c->cfg.endpoint_url;
    out->service_name = svc == AWS_IAM ? "iam" : "sts";
    out->signing_region = svc == AWS_IAM ? c->partition->iam_region : c->cfg.region;
    if (override)
        snprintf(out->url, sizeof out->url, "%s", override);
    else if (svc == AWS_IAM)
        snprintf(out->url, sizeof out->url, "https://%s/", c->partition->iam_host);
    else
        snprintf(out->url, sizeof out->url, "https://sts.%s.%s/", c->cfg.region,
                 c->partition->dns_suffix);
}

void aws_client_preconnect(aws_client *c, aws_service svc)
{
    aws_endpoint ep;
    aws_client_endpoint(c, svc, &ep);
    preconnect_start(ep.url, &c->cfg.http);
}
