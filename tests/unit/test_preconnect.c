/* The preconnect pool (net/preconnect.h) against loopback listeners: one
 * socket per endpoint, a handful at most, nothing when a proxy may apply,
 * and every pooled socket closed at cleanup. The handover to libcurl is
 * tested against real TLS peers in tests/integration/test_preconnect.py. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net/http.h"
#include "net/preconnect.h"
#include "util/timeutil.h"

#define DEADLINE_S 30.0

typedef struct listener {
    int fd;
    int port;
    char url[64];
} listener;

static int listen_on(listener *l)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sa;
    l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(l->fd, 8) != 0 ||
        getsockname(l->fd, (struct sockaddr *)&sa, &len) != 0)
        return -1;
    l->port = ntohs(sa.sin_port);
    snprintf(l->url, sizeof l->url, "http://127.0.0.1:%d/", l->port);
    return 0;
}

/* Waits until no preconnect is under way. */
static int settled(void)
{
    struct timespec step = {.tv_nsec = 5 * 1000 * 1000};
    double end = time_monotonic() + DEADLINE_S;
    while (preconnect_connecting() > 0 && time_monotonic() < end)
        nanosleep(&step, NULL);
    return preconnect_connecting() == 0;
}

/* Accepts what the listener has queued (connects that completed are
 * queued by the time the connecting side saw them complete); the first
 * accepted socket goes to *first (-1 when none), the others are closed. */
static int accept_all(const listener *l, int *first)
{
    int n = 0, c;
    *first = -1;
    while ((c = accept(l->fd, NULL, NULL)) >= 0) {
        if (n++ == 0)
            *first = c;
        else
            close(c);
    }
    return n;
}

static void one_socket_per_endpoint(void)
{
    listener l;
    REQUIRE(listen_on(&l) == 0);
    preconnect_start(l.url, NULL);
    preconnect_start(l.url, NULL);
    CHECK(settled());
    CHECK_INT(preconnect_pooled(), 1);
    int c;
    CHECK_INT(accept_all(&l, &c), 1);
    preconnect_start(l.url, NULL); /* still pooled: not again */
    CHECK(settled());
    CHECK_INT(preconnect_pooled(), 1);
    preconnect_cleanup();
    if (c >= 0)
        close(c);
    close(l.fd);
}

static void a_handful_at_most(void)
{
    listener l[6];
    for (int i = 0; i < 6; i++) {
        REQUIRE(listen_on(&l[i]) == 0);
        preconnect_start(l[i].url, NULL);
    }
    CHECK(settled());
    CHECK_INT(preconnect_pooled(), 4);
    preconnect_cleanup();
    CHECK_INT(preconnect_pooled(), 0);
    for (int i = 0; i < 6; i++)
        close(l[i].fd);
}

static void cleanup_closes_pooled_sockets(void)
{
    listener l;
    REQUIRE(listen_on(&l) == 0);
    preconnect_start(l.url, NULL);
    CHECK(settled());
    int c;
    CHECK_INT(accept_all(&l, &c), 1);
    REQUIRE(c >= 0);
    preconnect_cleanup();
    CHECK_INT(preconnect_pooled(), 0);
    struct pollfd p = {.fd = c, .events = POLLIN};
    char byte;
    CHECK_INT(poll(&p, 1, (int)(DEADLINE_S * 1000)), 1);
    CHECK_INT(recv(c, &byte, 1, MSG_DONTWAIT), 0); /* end of stream */
    close(c);
    close(l.fd);
}

static void nothing_when_a_proxy_may_apply(void)
{
    listener l;
    REQUIRE(listen_on(&l) == 0);
    const char *vars[] = {"https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy", "ALL_PROXY"};
    for (int i = 0; i < 5; i++) {
        setenv(vars[i], "http://127.0.0.1:9", 1);
        preconnect_start(l.url, NULL);
        CHECK_INT(preconnect_connecting() + preconnect_pooled(), 0);
        unsetenv(vars[i]);
    }
    int c;
    CHECK_INT(accept_all(&l, &c), 0);
    /* A caller that never uses a proxy (instance metadata) still may. */
    setenv("HTTPS_PROXY", "http://127.0.0.1:9", 1);
    http_options direct = {.no_proxy = 1};
    preconnect_start(l.url, &direct);
    unsetenv("HTTPS_PROXY");
    CHECK(settled());
    CHECK_INT(preconnect_pooled(), 1);
    preconnect_cleanup();
    close(l.fd);
}

static void nothing_for_a_bad_url_or_a_refused_port(void)
{
    listener l;
    REQUIRE(listen_on(&l) == 0);
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d/", l.port);
    close(l.fd); /* nobody listens there now */
    preconnect_start("not a url", NULL);
    preconnect_start("ftp://127.0.0.1/", NULL);
    preconnect_start(url, NULL);
    CHECK(settled());
    CHECK_INT(preconnect_pooled(), 0);
    preconnect_cleanup();
}

typedef struct call {
    const char *url;
    status_t st;
    long status;
} call;

static void *call_thread(void *arg)
{
    call *c = arg;
    http_request req = {.method = "GET", .url = c->url};
    http_response resp;
    sc_error err;
    c->st = http_perform(NULL, &req, &resp, &err);
    c->status = resp.status;
    if (c->st == ST_OK)
        http_response_free(&resp);
    http_thread_cleanup();
    return NULL;
}

/* Reads the request head on c and answers 200, as the server would. */
static int answer(int c)
{
    char req[4096];
    size_t n = 0;
    double end = time_monotonic() + DEADLINE_S;
    while (!memmem(req, n, "\r\n\r\n", 4) && n < sizeof req && time_monotonic() < end) {
        struct pollfd p = {.fd = c, .events = POLLIN};
        ssize_t r = poll(&p, 1, 100) == 1 ? recv(c, req + n, sizeof req - n, 0) : 0;
        if (r < 0 && errno != EAGAIN)
            return -1;
        if (r > 0)
            n += (size_t)r;
    }
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    return memmem(req, n, "\r\n\r\n", 4) && send(c, ok, sizeof ok - 1, 0) > 0 ? 0 : -1;
}

static void a_call_from_another_thread_takes_the_socket(void)
{
    listener l;
    REQUIRE(listen_on(&l) == 0);
    unsigned used = preconnect_used();
    preconnect_start(l.url, NULL);
    CHECK(settled());
    int c;
    CHECK_INT(accept_all(&l, &c), 1);
    REQUIRE(c >= 0);
    call cl = {.url = l.url};
    pthread_t t;
    REQUIRE(pthread_create(&t, NULL, call_thread, &cl) == 0);
    CHECK_INT(answer(c), 0);
    pthread_join(t, NULL);
    CHECK_INT(cl.st, ST_OK);
    CHECK_INT(cl.status, 200);
    CHECK_INT(preconnect_used(), used + 1);
    CHECK_INT(preconnect_pooled(), 0);
    int other;
    CHECK_INT(accept_all(&l, &other), 0); /* no connection of its own */
    close(c);
    close(l.fd);
}

int main(void)
{
    http_global_init();
    check_suite = "preconnect";
    check_run("one socket per endpoint, however often asked", one_socket_per_endpoint);
    check_run("a handful of sockets at most", a_handful_at_most);
    check_run("cleanup closes the pooled sockets", cleanup_closes_pooled_sockets);
    check_run("nothing when a proxy may apply, unless the caller never uses one",
              nothing_when_a_proxy_may_apply);
    check_run("nothing for a bad URL or a refused port", nothing_for_a_bad_url_or_a_refused_port);
    check_run("a call from another thread takes the pooled socket",
              a_call_from_another_thread_takes_the_socket);
    http_global_cleanup();
    return check_exit();
}
