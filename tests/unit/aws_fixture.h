/* Test fixtures for the AWS configuration and credential suites: a clean
 * AWS_* environment, a temporary HOME with files in it, and a tiny loopback
 * HTTP server that plays IMDS, the container agent or STS. */
#ifndef SC_TEST_AWS_FIXTURE_H
#define SC_TEST_AWS_FIXTURE_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

static char fx_dir[256];

/* Unsets every AWS_* variable, so the caller's own setup cannot leak in. */
static inline void fx_clear_aws_env(void)
{
    for (;;) {
        char name[256] = "";
        for (char **e = environ; *e; e++)
            if (strncmp(*e, "AWS_", 4) == 0) {
                size_t n = strcspn(*e, "=");
                snprintf(name, sizeof name, "%.*s", (int)n, *e);
                break;
            }
        if (!name[0])
            break;
        unsetenv(name);
    }
}

/* Removes the temporary HOME of the previous case. */
static inline void fx_cleanup(void)
{
    if (fx_dir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx_dir);
        (void)!system(cmd);
        fx_dir[0] = '\0';
    }
}

/* A fresh temporary HOME, empty AWS environment, metadata disabled so no
 * test waits on 169.254.169.254. */
static inline void fx_reset(void)
{
    fx_cleanup();
    snprintf(fx_dir, sizeof fx_dir, "/tmp/sc-aws-test-XXXXXX");
    if (!mkdtemp(fx_dir)) {
        perror("mkdtemp");
        exit(2);
    }
    fx_clear_aws_env();
    setenv("HOME", fx_dir, 1);
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

static inline const char *fx_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", fx_dir, name);
    return p;
}

/* Writes a file under the temporary HOME (creating one directory level). */
static inline const char *fx_write(const char *name, const char *text, int mode)
{
    const char *p = fx_path(name);
    const char *slash = strrchr(name, '/');
    if (slash) {
        char d[512];
        snprintf(d, sizeof d, "%s/%.*s", fx_dir, (int)(slash - name), name);
        mkdir(d, 0700);
    }
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    chmod(p, (mode_t)mode);
    return p;
}

static inline int fx_contains(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return 1;
    fprintf(stderr, "  [%s]\n  does not contain [%s]\n", hay ? hay : "(null)", needle);
    return 0;
}

/* ---- loopback HTTP server ---- */

typedef struct fake_route {
    const char *method;
    const char *path;     /* exact path (query included) */
    const char *contains; /* request (head + body) must contain this; NULL = any */
    int status;
    const char *body;
    int max_hits; /* 0 = unlimited; lets a test script "fail once, then work" */
    int hits;
} fake_route;

typedef struct fake_server {
    int fd;
    int port;
    pthread_t thread;
    volatile int stop;
    fake_route routes[16];
    int nroutes;
    char log[32768]; /* every request, head and body, in order */
    size_t loglen;
    int requests;
} fake_server;

static inline void fake_route_add(fake_server *s, const char *method, const char *path,
                                  const char *contains, int status, const char *body, int max_hits)
{
    fake_route r = {method, path, contains, status, body, max_hits, 0};
    s->routes[s->nroutes++] = r;
}

static inline int fake_read_request(int c, char *req, size_t cap)
{
    size_t n = 0;
    long want = -1;
    for (;;) {
        struct pollfd p = {c, POLLIN, 0};
        if (poll(&p, 1, 3000) <= 0)
            return -1;
        ssize_t r = read(c, req + n, cap - 1 - n);
        if (r <= 0)
            return n ? (int)n : -1;
        n += (size_t)r;
        req[n] = '\0';
        char *end = strstr(req, "\r\n\r\n");
        if (!end)
            continue;
        if (want < 0) {
            char *cl = strcasestr(req, "\r\nContent-Length:");
            want = (long)(end + 4 - req) + (cl && cl < end ? atol(cl + 17) : 0);
            if (strcasestr(req, "\r\nExpect: 100-continue"))
                (void)!write(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
        }
        if ((long)n >= want)
            return (int)n;
    }
}

static inline const fake_route *fake_match(fake_server *s, const char *req)
{
    char method[16], path[1024];
    if (sscanf(req, "%15s %1023s", method, path) != 2)
        return NULL;
    for (int i = 0; i < s->nroutes; i++) {
        fake_route *r = &s->routes[i];
        if (strcmp(r->method, method) || strcmp(r->path, path))
            continue;
        if (r->contains && !strstr(req, r->contains))
            continue;
        if (r->max_hits && r->hits >= r->max_hits)
            continue;
        r->hits++;
        return r;
    }
    return NULL;
}

static inline void fake_serve_one(fake_server *s, int c)
{
    static char req[65536];
    if (fake_read_request(c, req, sizeof req) < 0)
        return;
    size_t len = strlen(req);
    if (s->loglen + len + 2 < sizeof s->log) {
        memcpy(s->log + s->loglen, req, len);
        s->loglen += len;
        s->log[s->loglen++] = '\n';
        s->log[s->loglen] = '\0';
    }
    s->requests++;
    const fake_route *r = fake_match(s, req);
    int status = r ? r->status : 404;
    const char *body = r ? r->body : "not found";
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n"
                      "x-amzn-RequestId: fake-1\r\n\r\n",
                      status, strlen(body));
    (void)!write(c, head, (size_t)hn);
    (void)!write(c, body, strlen(body));
}

static inline void *fake_loop(void *arg)
{
    fake_server *s = arg;
    while (!s->stop) {
        struct pollfd p = {s->fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        fake_serve_one(s, c);
        close(c);
    }
    return NULL;
}

static inline void fake_start(fake_server *s)
{
    memset(s, 0, sizeof *s);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof a;
    if (bind(s->fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(s->fd, 16) < 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &al) < 0) {
        perror("fake server");
        exit(2);
    }
    s->port = ntohs(a.sin_port);
    pthread_create(&s->thread, NULL, fake_loop, s);
}

static inline void fake_stop(fake_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
}

static inline const char *fake_url(const fake_server *s, const char *path)
{
    static char urls[4][256];
    static int next;
    char *u = urls[next++ % 4];
    snprintf(u, sizeof urls[0], "http://127.0.0.1:%d%s", s->port, path);
    return u;
}

#endif
