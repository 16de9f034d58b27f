#include "aws/creds/provider.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds/creds_internal.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* botocore's mandatory refresh: credentials this close to expiring are
 * fetched again before use. */
#define CREDS_REFRESH_WINDOW ((time_t)10 * 60)
/* When a refresh fails, credentials that still have this long to live are
 * kept (botocore likewise rides out a failed advisory refresh). */
#define CREDS_GRACE 60

creds_provider *creds_provider_alloc(size_t size, const char *method, const char *profile,
                                     status_t (*load)(creds_provider *, aws_credentials *,
                                                      sc_error *),
                                     void (*destroy)(creds_provider *))
{
    creds_provider *p = xcalloc(1, size);
    p->load = load;
    p->destroy = destroy;
    p->method = method;
    snprintf(p->profile, sizeof p->profile, "%s", profile ? profile : "");
    return p;
}

static int creds_fresh_enough(const aws_credentials *c, time_t now, long margin)
{
    return c->expiration == 0 || c->expiration - now > margin;
}

static status_t creds_check_new(const creds_provider *p, const aws_credentials *c, time_t now,
                                sc_error *err)
{
    const char *in = p->profile[0] ? " of profile " : "";
    if (!c->access_key_id || !c->secret_access_key)
        return error_set(err, ST_CREDENTIALS, "%s%s%s gave no access key", p->method, in,
                         p->profile);
    if (c->expiration != 0 && c->expiration <= now) {
        char when[21];
        time_format_iso8601(c->expiration, when);
        return error_set(err, ST_CREDENTIALS,
                         "the credentials from %s%s%s expired at %s; renew them and retry",
                         p->method, in, p->profile, when);
    }
    return ST_OK;
}

status_t creds_provider_get(creds_provider *p, const aws_credentials **out, sc_error *err)
{
    time_t now = time(NULL);
    if (p->loaded && creds_fresh_enough(&p->current, now, CREDS_REFRESH_WINDOW)) {
        *out = &p->current;
        return ST_OK;
    }
    aws_credentials fresh;
    memset(&fresh, 0, sizeof fresh);
    status_t st = p->load(p, &fresh, err);
    if (st == ST_OK)
        st = creds_check_new(p, &fresh, now, err);
    if (st != ST_OK) {
        aws_credentials_clear(&fresh);
        if (!p->loaded || !creds_fresh_enough(&p->current, now, CREDS_GRACE))
            return st;
        error_clear(err);
        *out = &p->current;
        return ST_OK;
    }
    aws_credentials_clear(&p->current);
    p->current = fresh;
    p->loaded = 1;
    *out = &p->current;
    return ST_OK;
}

typedef struct static_provider {
    creds_provider base;
    aws_credentials fixed;
} static_provider;

static status_t static_load(creds_provider *self, aws_credentials *out, sc_error *err)
{
    (void)err;
    aws_credentials_copy(out, &((static_provider *)self)->fixed);
    return ST_OK;
}

static void static_destroy(creds_provider *self)
{
    aws_credentials_clear(&((static_provider *)self)->fixed);
}

creds_provider *creds_provider_static(const aws_credentials *c, const char *method)
{
    static_provider *sp = (static_provider *)creds_provider_alloc(
        sizeof *sp, method ? method : "static", NULL, static_load, static_destroy);
    aws_credentials_copy(&sp->fixed, c);
    return &sp->base;
}

void creds_provider_free(creds_provider *p)
{
    if (!p)
        return;
    if (p->destroy)
        p->destroy(p);
    aws_credentials_clear(&p->current);
    free(p);
}
