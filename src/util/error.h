/* One status enum for the whole core, one message per code, and an error
 * record that carries the details a person needs to act on a failure. */
#ifndef SC_ERROR_H
#define SC_ERROR_H

typedef enum status {
    ST_OK = 0,
    ST_USAGE,          /* bad option or argument */
    ST_BAD_INPUT,      /* a value the user gave is not acceptable */
    ST_IO,             /* a local file could not be read or written */
    ST_CONFIG,         /* an AWS/Spot configuration file is wrong */
    ST_NO_CREDENTIALS, /* no source in the chain supplied credentials */
    ST_CREDENTIALS,    /* a source was found but failed */
    ST_NET_CONNECT,    /* could not connect: the request was never sent */
    ST_NET_IO,         /* the connection broke: the request may have arrived */
    ST_TIMEOUT,        /* no complete answer in time */
    ST_TLS,            /* certificate or handshake failure */
    ST_HTTP,           /* an HTTP status with no usable error body */
    ST_PARSE,          /* an answer that could not be understood */
    ST_AWS,            /* AWS answered with an error Code */
    ST_SPOT,           /* the Spot API answered with an error */
    ST_MISSING_ANSWER, /* an answer is needed and nobody can give it */
    ST_CANCELLED,      /* the operator stopped the operation */
    ST_PAUSED,         /* stopped on purpose at a requested step (not an error) */
    ST__COUNT
} status_t;

/* The human text for a status, e.g. "could not connect". */
const char *status_message(status_t st);

typedef struct sc_error {
    status_t status;
    long http_status;    /* 0 when no HTTP answer arrived */
    char code[64];       /* AWS or Spot error code, "" when none */
    char message[512];   /* one line, no secrets */
    char request_id[96]; /* "" when unknown */
    int attempts;        /* how many tries were made, for messages */
} sc_error;

void error_clear(sc_error *e);
/* Sets status and a printf-style one-line message; returns st for chaining. */
status_t error_set(sc_error *e, status_t st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with context: "reading ~/.aws/config: ...". */
void error_prefix(sc_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
