/* Shared between the providers of the credential chain (src/aws/creds/).
 * Not for use outside this directory: chain.h is the public face. */
#ifndef SC_CREDS_INTERNAL_H
#define SC_CREDS_INTERNAL_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "aws/client.h"
#include "aws/creds/provider.h"
#include "aws/profile.h"
#include "aws/session.h"
#include "net/http.h"
#include "util/error.h"

/* Everything the provider factories need while the chain is resolved. The
 * providers they build copy what they keep, so this may die afterwards. */
typedef struct creds_ctx {
    const profile_files *pf;
    const char *profile;          /* the session's profile, for IMDS settings */
    const aws_client_config *sts; /* region, endpoints, transport, log */
    mfa_prompt_fn mfa_prompt;
    void *mfa_ctx;
} creds_ctx;

/* Profiles visited while following source_profile links (loop detection). */
#define CREDS_MAX_CHAIN 16
typedef struct creds_visit {
    const char *names[CREDS_MAX_CHAIN + 1];
    size_t count;
} creds_visit;

/* ---- provider.c ---- */

/* Allocates a zeroed provider of `size` bytes (a struct whose first member
 * is creds_provider) with its method and profile set. */
creds_provider *creds_provider_alloc(size_t size, const char *method, const char *profile,
                                     status_t (*load)(creds_provider *, aws_credentials *,
                                                      sc_error *),
                                     void (*destroy)(creds_provider *));

/* ---- util.c ---- */

/* The environment variable when set, else the profile's key (botocore's
 * config chain for one setting). */
const char *creds_setting(const creds_ctx *c, const char *env, const char *key);
/* Copies msg into why (n bytes), cut short if needed. */
void creds_note(char *why, size_t n, const char *msg);
/* Case-insensitive "true", as botocore's ensure_boolean. */
int creds_is_true(const char *v);
/* Reads a small file that holds a secret into one allocation, wiped by
 * xfree_secret. what names the file's role in messages. */
status_t creds_read_secret_file(const char *path, const char *what, char **out, sc_error *err);
/* One exchange with a metadata service (no body); resp is always set and
 * must be freed with creds_http_free, which wipes the body. */
status_t creds_http(const http_options *o, const char *method, const char *url,
                    const char *const *headers, size_t nheaders, http_response *resp,
                    sc_error *err);
void creds_http_free(http_response *resp);
/* Which fields a JSON credential document has (credential_process,
 * container and instance metadata answers differ slightly). */
typedef struct creds_json_spec {
    const char *token_field; /* "SessionToken" or "Token" */
    int token_required;
    int expiration_required;
    int version_required; /* credential_process: "Version": 1 */
} creds_json_spec;

/* Parses text into out. On failure returns -1 and writes why (never any of
 * the text itself) into problem. */
int creds_json_parse(const char *text, const creds_json_spec *spec, aws_credentials *out,
                     char *problem, size_t problem_len);
/* The account ID in an ARN's fifth field, or NULL. Caller frees. */
char *creds_arn_account(const char *arn);

/* ---- the providers. Each returns ST_OK with *out NULL when its source is
 * not configured, ST_OK with a provider (not loaded yet unless said), or an
 * error when the source is configured but wrong. ---- */

status_t creds_try_env(creds_provider **out, sc_error *err);
status_t creds_try_assume_role(const creds_ctx *c, const char *profile, creds_visit *v,
                               creds_provider **out, sc_error *err);
status_t creds_try_web_identity(const creds_ctx *c, const char *profile, int use_env,
                                creds_provider **out, sc_error *err);
status_t creds_try_sso(const creds_ctx *c, const char *profile, creds_provider **out,
                       sc_error *err);
status_t creds_try_shared_file(const creds_ctx *c, const char *profile, creds_provider **out,
                               sc_error *err);
status_t creds_try_process(const creds_ctx *c, const char *profile, creds_provider **out,
                           sc_error *err);
status_t creds_try_config_file(const creds_ctx *c, const char *profile, creds_provider **out,
                               sc_error *err);
status_t creds_try_container(const creds_ctx *c, creds_provider **out, sc_error *err);
/* Fetches at once: a failure is "not here" (why says what happened), as
 * for botocore, and a provider it returns is already loaded. */
status_t creds_try_imds(const creds_ctx *c, creds_provider **out, char *why, size_t why_len,
                        sc_error *err);

/* chain.c: the providers that read one profile (web identity, SSO, shared
 * credentials file, credential_process, config file), as botocore's
 * ProfileProviderBuilder; source profiles of a role go through it too. */
status_t creds_profile_providers(const creds_ctx *c, const char *profile, int use_env,
                                 creds_provider **out, sc_error *err);

#endif
