#include "net/preconnect.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/endpoint.h"
#include "util/env.h"
#include "util/timeutil.h"
#include "util/xalloc.h"

/* A handful: the engine looks one endpoint ahead, and there are three. */
#define PRECONNECT_SLOTS 4
#define PRECONNECT_DEFAULT_MS 5000L

typedef enum slot_state { SLOT_FREE, SLOT_CONNECTING, SLOT_READY } slot_state;

typedef struct pc_slot {
    struct sockaddr_storage peer;
    long port;
    socklen_t peer_len;
    slot_state state;
    int fd; /* SLOT_READY only */
    char host[256];
} pc_slot;

/* What a connecting thread needs; it owns and frees it. */
typedef struct pc_job {
    char host[256];
    char port[16];
    long timeout_ms;
    int slot;
    unsigned gen;
} pc_job;

/* Touched by the connecting threads and by whichever threads make calls. */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pc_slot pool[PRECONNECT_SLOTS];
/* Bumped by cleanup: a thread started before it closes what it connected. */
static unsigned pool_gen;
static atomic_uint used_count;

/* The socket this thread's open-socket callback just handed to libcurl, for
 * its sockopt callback; -1 when none. */
static __thread int tl_handed = -1;

/* ---- starting ---- */

static int proxy_may_apply(const http_options *opt)
{
    static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy",
                                       "ALL_PROXY"};
    if (opt && opt->no_proxy)
        return 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        if (env_get(vars[i]))
            return 1;
    return 0;
}

/* Reserves a slot for host:port; -1 when one is already there or none is free. */
static int reserve_slot(const endpoint_url *ep, unsigned *gen)
{
    int free_slot = -1;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < PRECONNECT_SLOTS; i++) {
        pc_slot *s = &pool[i];
        if (s->state == SLOT_FREE) {
            if (free_slot < 0)
                free_slot = i;
        } else if (s->port == ep->port && strcmp(s->host, ep->host) == 0) {
            free_slot = -1;
            break;
        }
    }
    if (free_slot >= 0) {
        pc_slot *s = &pool[free_slot];
        *s = (pc_slot){.state = SLOT_CONNECTING, .port = ep->port, .fd = -1};
        snprintf(s->host, sizeof s->host, "%s", ep->host);
        *gen = pool_gen;
    }
    pthread_mutex_unlock(&pool_lock);
    return free_slot;
}

/* Stores the thread's outcome: fd < 0 frees the slot. A slot of an older
 * generation was taken back by cleanup. */
static void finish_slot(const pc_job *job, int fd, const struct sockaddr *peer, socklen_t len)
{
    pthread_mutex_lock(&pool_lock);
    int current = job->gen == pool_gen;
    if (current && fd >= 0) {
        pc_slot *s = &pool[job->slot];
        s->state = SLOT_READY;
        s->fd = fd;
        memcpy(&s->peer, peer, len);
        s->peer_len = len;
        fd = -1;
    } else if (current) {
        pool[job->slot].state = SLOT_FREE;
    }
    pthread_mutex_unlock(&pool_lock);
    if (fd >= 0)
        close(fd);
}

/* One non-blocking connect, waited for until the deadline; the socket or -1.
 *
 * libcurl 7.88.x calls connect() even on a socket its sockopt callback
 * declared connected, and fails on EISCONN (curl issue 10626, fixed in
 * 8.0.0). Linux answers that call with 0, not EISCONN, on a socket whose
 * non-blocking connect completed without a second connect() call: it is
 * still SS_CONNECTING (net/ipv4/af_inet.c, __inet_stream_connect). So the
 * completion is read with poll and SO_ERROR, never with connect(), and a
 * connect that succeeds at once (Linux TCP does not) is not pooled. */
static int connect_one(const struct addrinfo *ai, double deadline)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 || errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    for (;;) {
        double left_ms = (deadline - time_monotonic()) * 1000.0;
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        int n = left_ms > 0 ? poll(&p, 1, (int)left_ms + 1) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        int soerr = -1;
        socklen_t sl = sizeof soerr;
        if (n == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0 && soerr == 0)
            return fd;
        close(fd);
        return -1;
    }
}

static void *connect_thread(void *arg)
{
    pc_job *job = arg;
    double deadline = time_monotonic() + (double)job->timeout_ms / 1000.0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *res = NULL;
    int fd = -1;
    const struct addrinfo *ai = NULL;
    if (getaddrinfo(job->host, job->port, &hints, &res) == 0)
        for (ai = res; ai && time_monotonic() < deadline; ai = ai->ai_next)
            if ((fd = connect_one(ai, deadline)) >= 0)
                break;
    finish_slot(job, fd, fd >= 0 ? ai->ai_addr : NULL, fd >= 0 ? ai->ai_addrlen : 0);
    if (res)
        freeaddrinfo(res);
    free(job);
    return NULL;
}

void preconnect_start(const char *url, const http_options *opt)
{
    endpoint_url ep;
    sc_error ignored;
    if (!url || proxy_may_apply(opt) || endpoint_parse(url, "the URL", &ep, &ignored) != ST_OK)
        return;
    unsigned gen = 0;
    int slot = reserve_slot(&ep, &gen);
    if (slot < 0)
        return;
    pc_job *job = xcalloc(1, sizeof *job);
    snprintf(job->host, sizeof job->host, "%s", ep.host);
    snprintf(job->port, sizeof job->port, "%ld", ep.port);
    job->timeout_ms =
        opt && opt->connect_timeout_ms ? opt->connect_timeout_ms : PRECONNECT_DEFAULT_MS;
    job->slot = slot;
    job->gen = gen;
    pthread_attr_t attr;
    pthread_t tid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    if (pthread_create(&tid, &attr, connect_thread, job) != 0) {
        finish_slot(job, -1, NULL, 0);
        free(job);
    }
    pthread_attr_destroy(&attr);
}

/* ---- handing over ---- */

static int same_peer(const struct sockaddr_storage *a, const struct sockaddr *b, socklen_t len)
{
    if (a->ss_family != b->sa_family)
        return 0;
    if (b->sa_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
        const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;
        return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (b->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
        const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;
        return x->sin6_port == y->sin6_port &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
    return 0;
}

/* Open, and the server has sent nothing (not even a close). */
static int still_open(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
           (errno == EAGAIN || errno == EWOULDBLOCK);
}

/* Takes the pooled socket connected to addr, -1 when none. A dead one is
 * dropped on the way. */
static int pool_take(const struct sockaddr *addr, socklen_t len)
{
    int fd = -1, dead = -1;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < PRECONNECT_SLOTS && fd < 0; i++) {
        pc_slot *s = &pool[i];
        if (s->state != SLOT_READY || !same_peer(&s->peer, addr, len))
            continue;
        s->state = SLOT_FREE;
        if (still_open(s->fd))
            fd = s->fd;
        else
            dead = s->fd;
    }
    pthread_mutex_unlock(&pool_lock);
    if (dead >= 0)
        close(dead);
    return fd;
}

static curl_socket_t on_open_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *addr)
{
    (void)ud;
    tl_handed = -1;
    if (purpose == CURLSOCKTYPE_IPCXN && addr->socktype == SOCK_STREAM) {
        int fd = pool_take(&addr->addr, addr->addrlen);
        if (fd >= 0) {
            atomic_fetch_add(&used_count, 1);
            tl_handed = fd;
            return fd;
        }
    }
    return socket(addr->family, addr->socktype, addr->protocol);
}

static int on_sockopt(void *ud, curl_socket_t fd, curlsocktype purpose)
{
    (void)ud, (void)purpose;
    if (fd < 0 || fd != tl_handed)
        return CURL_SOCKOPT_OK;
    tl_handed = -1;
    return CURL_SOCKOPT_ALREADY_CONNECTED;
}

void preconnect_attach(CURL *h)
{
    curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    curl_easy_setopt(h, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
}

/* ---- the rest ---- */

void preconnect_cleanup(void)
{
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < PRECONNECT_SLOTS; i++) {
        if (pool[i].state == SLOT_READY)
            close(pool[i].fd);
        pool[i] = (pc_slot){.state = SLOT_FREE, .fd = -1};
    }
    pool_gen++;
    pthread_mutex_unlock(&pool_lock);
    tl_handed = -1;
}

unsigned preconnect_used(void)
{
    return atomic_load(&used_count);
}

static unsigned count_slots(slot_state state)
{
    unsigned n = 0;
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < PRECONNECT_SLOTS; i++)
        n += pool[i].state == state;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

unsigned preconnect_pooled(void)
{
    return count_slots(SLOT_READY);
}

unsigned preconnect_connecting(void)
{
    return count_slots(SLOT_CONNECTING);
}
