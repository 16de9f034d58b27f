/* An AWS API client: region, endpoints, transport settings and a credential
 * provider. IAM and STS calls (iam.h, sts.h) take one of these. */
#ifndef SC_AWS_CLIENT_H
#define SC_AWS_CLIENT_H

#include "aws/creds/provider.h"
#include "aws/partition.h"
#include "net/calllog.h"
#include "net/http.h"

typedef enum aws_service { AWS_IAM, AWS_STS } aws_service;

typedef struct aws_client_config {
    const char *region;           /* required */
    const char *endpoint_url;     /* AWS_ENDPOINT_URL or profile endpoint_url; NULL = default */
    const char *iam_endpoint_url; /* AWS_ENDPOINT_URL_IAM; beats endpoint_url */
    const char *sts_endpoint_url; /* AWS_ENDPOINT_URL_STS; beats endpoint_url */
    http_options http;
    int max_attempts;      /* 0 = AWS_MAX_ATTEMPTS from the environment, else 3 */
    creds_provider *creds; /* borrowed; NULL allows unsigned calls only */
    api_log_fn log;
    void *log_ctx;
} aws_client_config;

typedef struct aws_client aws_client;

/* Copies every string in cfg; the provider and log context stay borrowed. */
aws_client *aws_client_new(const aws_client_config *cfg);
void aws_client_free(aws_client *c);
const char *aws_client_region(const aws_client *c);
const partition_info *aws_client_partition(const aws_client *c);
creds_provider *aws_client_creds(const aws_client *c);
/* The configuration the client was built from (strings owned by the client),
 * so that a client for other credentials can be derived from it. */
const aws_client_config *aws_client_get_config(const aws_client *c);
/* Starts opening the connection the next call to svc will use, in the
 * background (net/preconnect.h): same endpoint, same proxy rules. */
void aws_client_preconnect(aws_client *c, aws_service svc);

#endif
