/* endpoint_parse: libcurl's URL parser, and what it refuses. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/endpoint.h"

static void test_parts(void)
{
    endpoint_url u;
    sc_error err;
    CHECK_INT(endpoint_parse("HTTPS://STS.Example.COM", "x", &u, &err), ST_OK);
    CHECK(u.https);
    CHECK_STR(u.host, "sts.example.com");
    CHECK_INT(u.port, 443);
    CHECK_STR(u.path, "/");
    CHECK_STR(u.query, "");
    CHECK(!u.loopback);
    CHECK_INT(endpoint_parse("http://[::1]:4566/a/../b?x=1", "x", &u, &err), ST_OK);
    CHECK(!u.https);
    CHECK_STR(u.host, "::1");
    CHECK_STR(u.authority, "[::1]:4566");
    CHECK_INT(u.port, 4566);
    CHECK_STR(u.path, "/b"); /* as libcurl sends it */
    CHECK_STR(u.query, "x=1");
    CHECK(u.loopback);
    CHECK_INT(endpoint_parse("http://127.0.0.9/", "x", &u, &err), ST_OK);
    CHECK(u.loopback);
    CHECK_INT(u.port, 80);
    CHECK_STR(u.authority, "127.0.0.9");
    CHECK_INT(endpoint_parse("http://localhost:1/", "x", &u, &err), ST_OK);
    CHECK(u.loopback);
}

static void expect_refused(const char *url, status_t want, const char *needle)
{
    endpoint_url u;
    sc_error err;
    error_clear(&err);
    CHECK_INT(endpoint_parse(url, "AWS_ENDPOINT_URL", &u, &err), want);
    if (!strstr(err.message, needle)) {
        fprintf(stderr, "  [%s] lacks [%s]\n", err.message, needle);
        check_case_failed = 1;
    }
    CHECK(strstr(err.message, "SECRET") == NULL);
}

static void test_refusals(void)
{
    expect_refused("https://user:SECRET@host/", ST_BAD_INPUT, "has a user name or password");
    expect_refused("https://SECRET@host/", ST_BAD_INPUT, "has a user name or password");
    expect_refused("https://SECRET@", ST_CONFIG, "not shown");
    expect_refused("ftp://host/", ST_CONFIG, "is not an http:// or https:// URL");
    expect_refused("host.example", ST_CONFIG, "is not a valid URL");
    expect_refused("https://a b/", ST_CONFIG, "is not a valid URL");
}

static void test_shown(void)
{
    char *s = endpoint_shown("http://u:SECRET@169.254.170.2:80/creds?token=SECRET");
    CHECK_STR(s, "http://169.254.170.2:80/creds");
    free(s);
    s = endpoint_shown("not a url SECRET");
    CHECK(strstr(s, "SECRET") == NULL);
    free(s);
}

int main(void)
{
    check_suite = "endpoint";
    check_run("parts of a URL", test_parts);
    check_run("refusals never show a password", test_refusals);
    check_run("URLs shown in messages", test_shown);
    return check_exit();
}
