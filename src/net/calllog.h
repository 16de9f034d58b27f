/* One line of the API call log, for AWS and Spot alike. It holds no secret
 * by construction: no headers, no bodies, only what identifies the call. */
#ifndef SC_CALLLOG_H
#define SC_CALLLOG_H

typedef struct api_call_log {
    const char *service; /* "iam", "sts", "spot" */
    const char *action;  /* "CreateRole", "setCredentials", ... */
    const char *method;
    const char *url;  /* no query secrets: Spot tokens travel in a header */
    long http_status; /* 0 when no answer */
    const char *request_id;
    const char *error_code; /* API code or transport status text, NULL when ok */
    double seconds;
    int attempt; /* 1-based */
} api_call_log;

typedef void (*api_log_fn)(void *ctx, const api_call_log *entry);

#endif
