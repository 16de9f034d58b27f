/* A source of AWS credentials that can be asked again when they expire.
 * The chain (chain.h) picks one; clients only ever see this interface. */
#ifndef SC_CREDS_PROVIDER_H
#define SC_CREDS_PROVIDER_H

#include "aws/credentials.h"
#include "util/error.h"

typedef struct creds_provider creds_provider;
struct creds_provider {
    /* Fetches fresh credentials into out (which is empty on entry). */
    status_t (*load)(creds_provider *self, aws_credentials *out, sc_error *err);
    /* Frees whatever the concrete provider owns (not the struct itself). */
    void (*destroy)(creds_provider *self);
    /* Where the credentials come from, in botocore's words: "env",
     * "shared-credentials-file", "config-file", "assume-role",
     * "assume-role-with-web-identity", "sso", "custom-process", "container-role",
     * "iam-role". Never a secret. */
    const char *method;
    char profile[128]; /* profile involved, "" for none */
    aws_credentials current;
    int loaded;
};

/* Current credentials, (re)loaded when none are held yet or when they expire
 * within the refresh window (10 minutes, as botocore's mandatory refresh). */
status_t creds_provider_get(creds_provider *p, const aws_credentials **out, sc_error *err);
/* A provider that always returns a copy of fixed credentials (method given). */
creds_provider *creds_provider_static(const aws_credentials *c, const char *method);
void creds_provider_free(creds_provider *p);

#endif
