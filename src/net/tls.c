#include "net/tls.h"

#include <stdio.h>

#include "util/env.h"

tls_ca tls_ca_for(endpoint_kind kind, const char *option, const char *profile_ca)
{
    tls_ca ca = {0};
    const char *v;
    if (option && *option)
        return (tls_ca){.file = option, .source = "--ca-bundle"};
    if (kind == ENDPOINT_AWS && (v = env_get("AWS_CA_BUNDLE")))
        return (tls_ca){.file = v, .source = "AWS_CA_BUNDLE"};
    if (kind == ENDPOINT_AWS && profile_ca && *profile_ca)
        return (tls_ca){.file = profile_ca, .source = "the profile's ca_bundle"};
    if (kind == ENDPOINT_SPOT && (v = env_get("SPOT_CONNECT_CA_BUNDLE")))
        return (tls_ca){.file = v, .source = "SPOT_CONNECT_CA_BUNDLE"};
    if ((v = env_get("CURL_CA_BUNDLE")))
        return (tls_ca){.file = v, .source = "CURL_CA_BUNDLE"};
    ca.file = env_get("SSL_CERT_FILE");
    ca.dir = env_get("SSL_CERT_DIR");
    if (ca.file && ca.dir)
        ca.source = "SSL_CERT_FILE and SSL_CERT_DIR";
    else if (ca.file || ca.dir)
        ca.source = ca.file ? "SSL_CERT_FILE" : "SSL_CERT_DIR";
    return ca;
}

void tls_advice(endpoint_kind kind, const char *name, const char *file, const char *dir,
                const char *source, char *out, size_t len)
{
    const char *override = kind == ENDPOINT_SPOT ? "SPOT_CONNECT_CA_BUNDLE" : "AWS_CA_BUNDLE";
    if (!source) {
        snprintf(out, len,
                 "%s is checked against the system's CAs; if a proxy inspects TLS here, "
                 "point --ca-bundle, %s or SSL_CERT_FILE at its CA",
                 name, override);
        return;
    }
    char where[512];
    if (file && dir)
        snprintf(where, sizeof where, "%.200s and %.200s", file, dir);
    else
        snprintf(where, sizeof where, "%.400s", file ? file : dir ? dir : "");
    snprintf(out, len,
             "%s is checked against the CAs of %s (%s): check that it holds the CA that "
             "signs %s's certificate",
             name, source, where, name);
}
