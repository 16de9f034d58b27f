/* Opening the TCP connection to the next endpoint while the current call
 * runs, so that the call to it starts with the TLS handshake instead of the
 * TCP one.
 *
 * Only TCP: libcurl (7.88) keeps CURLOPT_CONNECT_ONLY connections out of its
 * reuse pool, so a preconnected TLS connection could not be handed over. A
 * connected socket can: the pool below hands it to libcurl through its
 * open-socket callback, for the exchange whose address (family, address,
 * port) is the socket's peer. Each socket serves one exchange at most, and
 * only when it is still open with nothing to read. libcurl sees it as a new
 * connection, never a reused one, so it never resends a request over it. */
#ifndef SC_PRECONNECT_H
#define SC_PRECONNECT_H

#include <curl/curl.h>

#include "net/http.h"

/* Starts connecting to url's host and port in a background thread and
 * returns at once; the socket waits in the pool for the exchange that wants
 * it. opt gives the connect timeout and no_proxy (may be NULL). Does nothing
 * when a proxy may apply (any of https_proxy, HTTPS_PROXY, http_proxy,
 * all_proxy or ALL_PROXY is set, NO_PROXY is not consulted) unless
 * opt->no_proxy; when the URL does not parse; when a socket to the same
 * host and port is pooled or being connected; or when the pool is full. */
void preconnect_start(const char *url, const http_options *opt);

/* Lets exchanges on h take pooled sockets; http.c calls it for each one. */
void preconnect_attach(CURL *h);

/* Closes every pooled socket; one still being connected is closed by its
 * thread when it finishes. http_global_cleanup calls it. */
void preconnect_cleanup(void);

/* Exchanges that used a preconnected socket since the program started. */
unsigned preconnect_used(void);
/* Sockets connected and waiting in the pool now. */
unsigned preconnect_pooled(void);
/* Sockets still being connected now. */
unsigned preconnect_connecting(void);

#endif
