/* Which CAs a TLS connection trusts, decided in one place for every
 * endpoint. libcurl built with OpenSSL reads none of the conventional
 * variables itself, so they are passed to it explicitly.
 *
 * Order, first set wins:
 *   1. --ca-bundle (every endpoint);
 *   2. the endpoint's own override: AWS_CA_BUNDLE, then the profile's
 *      ca_bundle (AWS); SPOT_CONNECT_CA_BUNDLE (Spot);
 *   3. CURL_CA_BUNDLE;
 *   4. SSL_CERT_FILE and/or SSL_CERT_DIR (both apply when both are set);
 *   5. the system's CAs. */
#ifndef SC_TLS_H
#define SC_TLS_H

#include <stddef.h>

#include "net/endpoint.h"

typedef struct tls_ca {
    const char *file;   /* PEM bundle (CURLOPT_CAINFO), NULL = libcurl's default */
    const char *dir;    /* hashed directory (CURLOPT_CAPATH), NULL = libcurl's default */
    const char *source; /* the settings used, e.g. "AWS_CA_BUNDLE"; NULL = the system's CAs */
} tls_ca;

/* The CAs for an endpoint of kind. option is --ca-bundle (may be NULL);
 * profile_ca the AWS profile's ca_bundle (may be NULL; ignored for Spot).
 * The strings point into the arguments or the environment. */
tls_ca tls_ca_for(endpoint_kind kind, const char *option, const char *profile_ca);

/* One sentence for a failed TLS handshake: the settings that applied to
 * the endpoint (name, e.g. "AWS STS") and what to do. Never suggests a
 * setting that is already in force. */
void tls_advice(endpoint_kind kind, const char *name, const char *file, const char *dir,
                const char *source, char *out, size_t len);

#endif
