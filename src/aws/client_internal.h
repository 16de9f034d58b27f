/* Endpoint resolution shared by client.c and query.c; not for other modules. */
#ifndef SC_AWS_CLIENT_INTERNAL_H
#define SC_AWS_CLIENT_INTERNAL_H

#include "aws/client.h"

typedef struct aws_endpoint {
    char url[512];
    const char *signing_region;
    const char *service_name; /* "iam", "sts" */
} aws_endpoint;

void aws_client_endpoint(const aws_client *c, aws_service svc, aws_endpoint *out);
int aws_client_max_attempts(const aws_client *c);
void aws_client_log(const aws_client *c, const api_call_log *entry);

#endif
