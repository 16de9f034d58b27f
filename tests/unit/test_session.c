/* Session resolution without any network: region and partition, a missing
 * profile, and the endpoints and transport settings each service gets. */
#include <stdlib.h>
#include <string.h>

#include "aws/session.h"
#include "aws_fixture.h"
#include "check.h"
#include "net/http.h"

static sc_error err;

static aws_session *open_session(const aws_session_options *o, status_t want)
{
    aws_session *s = NULL;
    error_clear(&err);
    status_t st = aws_session_open(o, &s, &err);
    if (st != want) {
        fprintf(stderr, "  aws_session_open: %d, want %d: %s\n", st, want, err.message);
        check_case_failed = 1;
    }
    return s;
}

static void test_session_region(void)
{
    fx_reset();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
    fx_write(".aws/config", "[default]\nregion = eu-west-3\n[profile cn]\nregion = cn-north-1\n",
             0600);
    aws_session_options o;
    memset(&o, 0, sizeof o);
    aws_session *s = open_session(&o, ST_OK);
    if (s) {
        CHECK_STR(s->region, "eu-west-3");
        CHECK_STR(s->profile, "default");
        CHECK_STR(s->creds->method, "env");
        CHECK_STR(aws_client_region(s->client), "eu-west-3");
    }
    aws_session_free(s);
    setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
    s = open_session(&o, ST_OK);
    CHECK_STR(s ? s->region : NULL, "us-west-1");
    aws_session_free(s);
    setenv("AWS_REGION", "ap-east-1", 1);
    s = open_session(&o, ST_OK);
    CHECK_STR(s ? s->region : NULL, "ap-east-1");
    aws_session_free(s);
    o.region = "us-gov-west-1";
    s = open_session(&o, ST_OK);
    CHECK_STR(s ? s->partition->name : NULL, "aws-us-gov");
    aws_session_free(s);
    o.region = NULL;
    unsetenv("AWS_REGION");
    unsetenv("AWS_DEFAULT_REGION");
    setenv("AWS_PROFILE", "cn", 1);
    s = open_session(&o, ST_OK);
    CHECK_STR(s ? s->partition->name : NULL, "aws-cn");
    aws_session_free(s);
    o.region = "evil.example.com/";
    s = open_session(&o, ST_CONFIG);
    CHECK(fx_contains(err.message, "(from --region) is not a valid region name"));
    aws_session_free(s);
}

static void test_session_profile_missing(void)
{
    fx_reset();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
    aws_session_options o;
    memset(&o, 0, sizeof o);
    aws_session *s = open_session(&o, ST_OK);
    if (s) {
        CHECK(s->profile == NULL);
        CHECK_STR(s->region, "us-east-1");
    }
    aws_session_free(s);
    o.profile = "nope";
    s = open_session(&o, ST_CONFIG);
    CHECK_STR(err.message, "profile nope not found in ~/.aws/config or ~/.aws/credentials");
    aws_session_free(s);
    o.profile = NULL;
    setenv("AWS_PROFILE", "gone", 1);
    s = open_session(&o, ST_CONFIG);
    CHECK_STR(err.message, "profile gone not found in ~/.aws/config or ~/.aws/credentials");
    aws_session_free(s);
}

static void test_session_endpoints(void)
{
    fx_reset();
    fx_write(".aws/credentials", "[p]\naws_access_key_id = AKIDP\naws_secret_access_key = S\n",
             0600);
    fx_write(".aws/config",
             "[profile p]\nendpoint_url = https://profile.example:1\nservices = local\n"
             "ca_bundle = /etc/p.pem\nmax_attempts = 7\n"
             "[services local]\nsts =\n  endpoint_url = http://127.0.0.2:2\n",
             0600);
    aws_session_options o;
    memset(&o, 0, sizeof o);
    o.profile = "p";
    aws_session *s = open_session(&o, ST_OK);
    if (s) {
        const aws_client_config *c = aws_client_get_config(s->client);
        CHECK_STR(c->endpoint_url, "https://profile.example:1");
        CHECK_STR(c->sts_endpoint_url, "http://127.0.0.2:2");
        CHECK(c->iam_endpoint_url == NULL);
        CHECK_STR(c->http.ca_bundle, "/etc/p.pem");
        CHECK_INT(c->max_attempts, 7);
        CHECK_STR(s->creds->method, "shared-credentials-file");
    }
    aws_session_free(s);
    setenv("AWS_ENDPOINT_URL", "http://localhost:3", 1);
    setenv("AWS_ENDPOINT_URL_STS", "https://sts.env:4", 1);
    setenv("AWS_ENDPOINT_URL_IAM", "https://iam.env:5", 1);
    setenv("AWS_CA_BUNDLE", "/etc/env.pem", 1);
    setenv("AWS_MAX_ATTEMPTS", "2", 1);
    o.ca_bundle = "/etc/opt.pem";
    s = open_session(&o, ST_OK);
    if (s) {
        const aws_client_config *c = aws_client_get_config(s->client);
        CHECK_STR(c->endpoint_url, "http://localhost:3");
        CHECK_STR(c->sts_endpoint_url, "https://sts.env:4");
        CHECK_STR(c->iam_endpoint_url, "https://iam.env:5");
        CHECK_STR(c->http.ca_bundle, "/etc/opt.pem");
        CHECK_INT(c->max_attempts, 2);
    }
    aws_session_free(s);
    setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE", 1);
    s = open_session(&o, ST_OK);
    if (s) {
        const aws_client_config *c = aws_client_get_config(s->client);
        CHECK(c->endpoint_url == NULL && c->sts_endpoint_url == NULL &&
              c->iam_endpoint_url == NULL);
    }
    aws_session_free(s);
    unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
    setenv("AWS_MAX_ATTEMPTS", "many", 1);
    s = open_session(&o, ST_CONFIG);
    CHECK(fx_contains(err.message, "max_attempts"));
    aws_session_free(s);
    unsetenv("AWS_MAX_ATTEMPTS");
    setenv("AWS_ENDPOINT_URL", "ftp://x", 1);
    s = open_session(&o, ST_CONFIG);
    CHECK(fx_contains(err.message, "is not an http:// or https:// URL"));
    aws_session_free(s);
    unsetenv("AWS_ENDPOINT_URL");
    /* Userinfo would be logged and signed into Host: refused, not shown. */
    const char *with_user[] = {"https://admin:PASSWD@sts.env:4/", "https://PASSWD@sts.env/",
                               "https://:PASSWD@[::1]:4/"};
    for (size_t i = 0; i < sizeof with_user / sizeof with_user[0]; i++) {
        setenv("AWS_ENDPOINT_URL_STS", with_user[i], 1);
        s = open_session(&o, ST_BAD_INPUT);
        CHECK(fx_contains(err.message, "AWS_ENDPOINT_URL_STS has a user name or password"));
        CHECK(strstr(err.message, "PASSWD") == NULL);
        aws_session_free(s);
    }
    fx_write(".aws/config",
             "[profile p]\nservices = local\n"
             "[services local]\niam =\n  endpoint_url = http://u:PASSWD@iam.local/\n",
             0600);
    unsetenv("AWS_ENDPOINT_URL_IAM");
    s = open_session(&o, ST_BAD_INPUT);
    CHECK(fx_contains(err.message, "has a user name or password"));
    CHECK(strstr(err.message, "PASSWD") == NULL);
    aws_session_free(s);
    unsetenv("AWS_ENDPOINT_URL_STS");
    unlink(fx_path(".aws/config"));
    /* Signed requests in clear only to this machine. */
    setenv("AWS_ENDPOINT_URL", "http://sts.example.com", 1);
    s = open_session(&o, ST_BAD_INPUT);
    CHECK(fx_contains(err.message, "must be an https:// URL"));
    aws_session_free(s);
    setenv("AWS_ENDPOINT_URL", "http://[::1]:9", 1);
    s = open_session(&o, ST_OK);
    aws_session_free(s);
}

int main(void)
{
    check_suite = "session";
    http_global_init();
    check_run("session region and partition", test_session_region);
    check_run("session profile not found", test_session_profile_missing);
    check_run("session endpoints and transport", test_session_endpoints);
    fx_cleanup();
    http_global_cleanup();
    return check_exit();
}
