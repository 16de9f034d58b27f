/* The credential sources that talk HTTP, against a loopback fake: EC2
 * instance metadata, the container agent, STS AssumeRole and
 * AssumeRoleWithWebIdentity. Every endpoint is redirected with the same
 * environment variables a user would set. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/creds/chain.h"
#include "aws/profile.h"
#include "aws/session.h"
#include "aws/sts.h"
#include "aws_fixture.h"
#include "check.h"
#include "net/http.h"

static sc_error err;
static fake_server srv;

#define ROLE_PATH "/latest/meta-data/iam/security-credentials/"
#define IMDS_DOC                                                                                   \
    "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"ASIAIMDS\", "              \
    "\"SecretAccessKey\": \"SECRETIMDS\", \"Token\": \"TOKIMDS\", "                                \
    "\"Expiration\": \"2099-01-01T00:00:00Z\"}"
#define CTR_DOC                                                                                    \
    "{\"AccessKeyId\": \"ASIACTR\", \"SecretAccessKey\": \"SECRETCTR\", \"Token\": \"TOKCTR\", "   \
    "\"Expiration\": \"2099-01-01T00:00:00Z\", \"AccountId\": \"444455556666\"}"
#define STS_ROLE(akid)                                                                             \
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"   \
    "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/R/s</Arn>"                       \
    "<AssumedRoleId>AROAX:s</AssumedRoleId></AssumedRoleUser><Credentials>"                        \
    "<AccessKeyId>" akid "</AccessKeyId><SecretAccessKey>SECRETROLE</SecretAccessKey>"             \
    "<SessionToken>TOKROLE</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"            \
    "</Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r1</RequestId>"                 \
    "</ResponseMetadata></AssumeRoleResponse>"
#define STS_WEB                                                                                    \
    "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"      \
    "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"             \
    "<SecretAccessKey>SECRETWEB</SecretAccessKey><SessionToken>TOKWEB</SessionToken>"              \
    "<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"                                  \
    "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>"

static void start(void)
{
    fx_reset();
    unsetenv("AWS_EC2_METADATA_DISABLED");
    fake_start(&srv);
    setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake_url(&srv, "/"), 1);
}

static void stop(void)
{
    fake_stop(&srv);
}

static int mfa_code(void *ctx, const char *serial, char *code, size_t n)
{
    (void)ctx;
    snprintf(code, n, "%s", strstr(serial, "alice") ? "123456" : "000000");
    return 0;
}

static status_t resolve(const char *profile, int from_option, creds_provider **out)
{
    profile_files *pf = NULL;
    error_clear(&err);
    *out = NULL;
    status_t st = profile_files_load(&pf, &err);
    if (st != ST_OK)
        return st;
    aws_client_config sts;
    memset(&sts, 0, sizeof sts);
    sts.region = "eu-west-1";
    sts.sts_endpoint_url = fake_url(&srv, "/");
    sts.max_attempts = 1;
    creds_chain_options o = {pf, profile, from_option, &sts, mfa_code, NULL, 0};
    st = creds_chain_resolve(&o, out, &err);
    profile_files_free(pf);
    return st;
}

static creds_provider *expect_creds(const char *profile, const char *method, const char *akid)
{
    creds_provider *p = NULL;
    status_t st = resolve(profile, 1, &p);
    if (st != ST_OK) {
        fprintf(stderr, "  resolve failed (%d): %s\n", st, err.message);
        check_case_failed = 1;
        return NULL;
    }
    CHECK_STR(p->method, method);
    CHECK_STR(p->current.access_key_id, akid);
    return p;
}

static void expect_fail(const char *profile, status_t want, const char *needle)
{
    creds_provider *p = NULL;
    CHECK_INT(resolve(profile, 1, &p), want);
    CHECK(p == NULL);
    CHECK(fx_contains(err.message, needle));
}

/* ---- EC2 instance metadata ---- */

static void imds_routes(int token_status)
{
    fake_route_add(&srv, "PUT", "/latest/api/token", "X-aws-ec2-metadata-token-ttl-seconds: 21600",
                   token_status, token_status == 200 ? "TOKEN123" : "", 0);
    const char *need = token_status == 200 ? "X-aws-ec2-metadata-token: TOKEN123" : NULL;
    fake_route_add(&srv, "GET", ROLE_PATH, need, 200, "my-role\nother-role", 0);
    fake_route_add(&srv, "GET", ROLE_PATH "my-role", need, 200, IMDS_DOC, 0);
}

static void test_imds_v2(void)
{
    start();
    imds_routes(200);
    creds_provider *p = expect_creds("default", "iam-role", "ASIAIMDS");
    if (p) {
        CHECK_STR(p->current.session_token, "TOKIMDS");
        CHECK_INT(p->current.expiration, 4070908800);
        int before = srv.requests;
        /* Close to expiry: fetched again, token and all. */
        p->current.expiration = time(NULL) + 60;
        const aws_credentials *c;
        CHECK_INT(creds_provider_get(p, &c, &err), ST_OK);
        CHECK_INT(srv.requests - before, 3);
    }
    creds_provider_free(p);
    stop();
    CHECK(fx_contains(srv.log, "PUT /latest/api/token HTTP/1.1"));
}

static void test_imds_v1_fallback(void)
{
    start();
    imds_routes(403);
    creds_provider *p = expect_creds("default", "iam-role", "ASIAIMDS");
    creds_provider_free(p);
    stop();
    CHECK(strstr(srv.log, "X-aws-ec2-metadata-token:") == NULL);

    start();
    imds_routes(404);
    setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
    expect_fail("default", ST_NO_CREDENTIALS, "no IMDSv2 token, and IMDSv1 is disabled");
    stop();
}

static void test_imds_failures(void)
{
    start();
    fake_route_add(&srv, "PUT", "/latest/api/token", NULL, 200, "T", 0);
    fake_route_add(&srv, "GET", ROLE_PATH, NULL, 200, "r", 0);
    fake_route_add(&srv, "GET", ROLE_PATH "r", NULL, 200,
                   "{\"Code\": \"AssumeRoleUnauthorizedAccess\", \"Message\": \"no\"}", 0);
    expect_fail("default", ST_NO_CREDENTIALS,
                "EC2 instance metadata (the credentials of instance role r are unusable: "
                "\"AccessKeyId\" is missing)");
    stop();

    start();
    fake_route_add(&srv, "PUT", "/latest/api/token", NULL, 400, "bad", 0);
    expect_fail("default", ST_NO_CREDENTIALS, "the IMDSv2 token request was refused (HTTP 400)");
    stop();

    start();
    fake_route_add(&srv, "PUT", "/latest/api/token", NULL, 200, "T", 0);
    expect_fail("default", ST_NO_CREDENTIALS, "HTTP status 404 for " ROLE_PATH);
    stop();

    /* A port nobody listens on: refused at once. */
    start();
    stop();
    expect_fail("default", ST_NO_CREDENTIALS, "EC2 instance metadata (");

    start();
    setenv("AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2", 1);
    /* Fractional, and long: on a loaded machine (ASan) a local answer can
     * take longer than a short timeout; the retry is what is checked. */
    setenv("AWS_METADATA_SERVICE_TIMEOUT", "20.5", 1);
    fake_route_add(&srv, "PUT", "/latest/api/token", NULL, 200, "T", 0);
    fake_route_add(&srv, "GET", ROLE_PATH, NULL, 500, "busy", 1);
    fake_route_add(&srv, "GET", ROLE_PATH, NULL, 200, "r", 0);
    fake_route_add(&srv, "GET", ROLE_PATH "r", NULL, 200, IMDS_DOC, 0);
    creds_provider *p = expect_creds("default", "iam-role", "ASIAIMDS");
    creds_provider_free(p);
    setenv("AWS_METADATA_SERVICE_TIMEOUT", "soon", 1);
    expect_fail("default", ST_CONFIG, "the metadata service timeout must be a number");
    stop();
}

/* ---- container ---- */

static void test_container(void)
{
    start();
    fake_route_add(&srv, "GET", "/creds", "Authorization: Bearer envtok", 200, CTR_DOC, 0);
    fake_route_add(&srv, "GET", "/creds", "Authorization: filetok", 200,
                   "{\"AccessKeyId\": \"ASIAFILE\", \"SecretAccessKey\": \"S\", \"Token\": "
                   "\"T\", \"Expiration\": \"2099-01-01T00:00:00Z\"}",
                   0);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", fake_url(&srv, "/creds"), 1);
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer envtok", 1);
    creds_provider *p = expect_creds("default", "container-role", "ASIACTR");
    if (p) {
        CHECK_STR(p->current.session_token, "TOKCTR");
        CHECK_STR(p->current.account_id, "444455556666");
    }
    creds_provider_free(p);
    CHECK(fx_contains(srv.log, "Accept: application/json"));
    /* The token file wins over the variable. */
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", fx_write("tok", "filetok", 0600), 1);
    p = expect_creds("default", "container-role", "ASIAFILE");
    creds_provider_free(p);
    fx_write("tok", "filetok\n", 0600);
    expect_fail("default", ST_CONFIG, "contains a line break");
    unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Injected: 1", 1);
    expect_fail("default", ST_CONFIG, "contains a line break");
    stop();
}

static void test_container_retry(void)
{
    start();
    char url[128];
    snprintf(url, sizeof url, "http://localhost:%d/v1/credentials", srv.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    fake_route_add(&srv, "GET", "/v1/credentials", NULL, 500, "oops", 1);
    fake_route_add(&srv, "GET", "/v1/credentials", NULL, 200, CTR_DOC, 0);
    creds_provider *p = expect_creds("default", "container-role", "ASIACTR");
    creds_provider_free(p);
    CHECK_INT(srv.requests, 2);
    stop();

    start();
    snprintf(url, sizeof url, "http://127.0.0.1:%d/c?q=SECRETQ", srv.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    fake_route_add(&srv, "GET", "/c?q=SECRETQ", NULL, 200,
                   "{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"SECRETC\"}", 0);
    expect_fail("default", ST_CREDENTIALS, "\"Token\" is missing");
    CHECK(strstr(err.message, "SECRETC") == NULL);
    CHECK(strstr(err.message, "SECRETQ") == NULL);
    CHECK(fx_contains(err.message, "container credentials from http://127.0.0.1:"));
    CHECK_INT(srv.requests, 1);
    stop();

    /* A user name and password are refused before any request. */
    start();
    snprintf(url, sizeof url, "http://user:SECRETPW@127.0.0.1:%d/c", srv.port);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
    expect_fail("default", ST_BAD_INPUT, "has a user name or password");
    CHECK(strstr(err.message, "SECRETPW") == NULL);
    CHECK_INT(srv.requests, 0);
    stop();
}

/* ---- STS ---- */

static void test_assume_role(void)
{
    start();
    fx_write(".aws/credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETBASE\n", 0600);
    fx_write(".aws/config",
             "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
             "source_profile = base\nexternal_id = ext-123\nduration_seconds = 3600\n"
             "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n"
             "[profile deep]\nrole_arn = arn:aws:iam::123456789012:role/Deep\n"
             "source_profile = admin\nrole_session_name = deep-session\n",
             0600);
    fake_route_add(&srv, "POST", "/", "role%2FAdmin", 200, STS_ROLE("ASIAADMIN"), 0);
    fake_route_add(&srv, "POST", "/", "role%2FDeep", 200, STS_ROLE("ASIADEEP"), 0);
    creds_provider *p = expect_creds("admin", "assume-role", "ASIAADMIN");
    if (p) {
        CHECK_STR(p->current.session_token, "TOKROLE");
        CHECK_STR(p->current.account_id, "123456789012");
        CHECK_STR(p->profile, "admin");
    }
    creds_provider_free(p);
    CHECK(fx_contains(srv.log, "Action=AssumeRole&"));
    CHECK(fx_contains(srv.log, "RoleSessionName=spot-connect-"));
    CHECK(fx_contains(srv.log, "ExternalId=ext-123"));
    CHECK(fx_contains(srv.log, "SerialNumber=arn%3Aaws%3Aiam%3A%3A123456789012%3Amfa%2Falice"));
    CHECK(fx_contains(srv.log, "TokenCode=123456"));
    CHECK(fx_contains(srv.log, "DurationSeconds=3600"));
    CHECK(fx_contains(srv.log, "Credential=AKIDBASE/"));
    CHECK(fx_contains(srv.log, "/eu-west-1/sts/aws4_request"));
    /* A chain: base -> admin -> deep, the second call signed with the first's keys. */
    srv.loglen = 0;
    p = expect_creds("deep", "assume-role", "ASIADEEP");
    creds_provider_free(p);
    CHECK(fx_contains(srv.log, "RoleSessionName=deep-session"));
    CHECK(fx_contains(srv.log, "Credential=ASIAADMIN/"));
    stop();
}

static void test_assume_role_errors(void)
{
    start();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
    fx_write(".aws/config",
             "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
             "credential_source = Environment\n",
             0600);
    fake_route_add(&srv, "POST", "/", NULL, 403,
                   "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                   "<Message>not allowed</Message></Error><RequestId>x</RequestId>"
                   "</ErrorResponse>",
                   0);
    creds_provider *p = NULL;
    status_t st = resolve("r", 1, &p);
    CHECK(st != ST_OK);
    CHECK(fx_contains(err.message, "assuming arn:aws:iam::123456789012:role/R for profile \"r\""));
    CHECK(strstr(err.message, "SECRETENV") == NULL);
    CHECK(fx_contains(srv.log, "Credential=AKIDENV/"));
    stop();
}

static void test_web_identity(void)
{
    start();
    const char *tok = fx_write("token", "eyJ.jwt.sig\n", 0600);
    char cfg[512];
    snprintf(cfg, sizeof cfg,
             "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/Web\n"
             "web_identity_token_file = %s\nrole_session_name = websess\n",
             tok);
    fx_write(".aws/config", cfg, 0600);
    fake_route_add(&srv, "POST", "/", "Action=AssumeRoleWithWebIdentity", 200, STS_WEB, 0);
    creds_provider *p = expect_creds("web", "assume-role-with-web-identity", "ASIAWEB");
    if (p) {
        /* The token file is read again on refresh. */
        fx_write("token", "eyJ.second.sig", 0600);
        p->current.expiration = time(NULL) + 60;
        const aws_credentials *c;
        CHECK_INT(creds_provider_get(p, &c, &err), ST_OK);
    }
    creds_provider_free(p);
    CHECK(fx_contains(srv.log, "WebIdentityToken=eyJ.jwt.sig\n"));
    CHECK(fx_contains(srv.log, "WebIdentityToken=eyJ.second.sig"));
    CHECK(fx_contains(srv.log, "RoleSessionName=websess"));
    CHECK(strstr(srv.log, "Authorization:") == NULL); /* unsigned */

    /* The environment form, without --profile. */
    srv.loglen = 0;
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tok, 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/FromEnv", 1);
    setenv("AWS_ROLE_SESSION_NAME", "envsess", 1);
    p = NULL;
    CHECK_INT(resolve("default", 0, &p), ST_OK);
    if (p)
        CHECK_STR(p->method, "assume-role-with-web-identity");
    creds_provider_free(p);
    CHECK(fx_contains(srv.log, "role%2FFromEnv"));
    CHECK(fx_contains(srv.log, "RoleSessionName=envsess"));
    stop();
}

static void test_session_end_to_end(void)
{
    start();
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    fx_write(".aws/credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETBASE\n", 0600);
    fx_write(".aws/config",
             "[profile admin]\nrole_arn = arn:aws:iam::123456789012:role/Admin\n"
             "source_profile = base\nregion = ap-southeast-2\n",
             0600);
    setenv("AWS_ENDPOINT_URL_STS", fake_url(&srv, "/"), 1);
    setenv("AWS_PROFILE", "admin", 1);
    fake_route_add(&srv, "POST", "/", "Action=AssumeRole&", 200, STS_ROLE("ASIAADMIN"), 0);
    fake_route_add(&srv, "POST", "/", "Action=GetCallerIdentity", 200,
                   "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                   "<Arn>arn:aws:sts::123456789012:assumed-role/Admin/s</Arn>"
                   "<UserId>AROAX:s</UserId><Account>123456789012</Account>"
                   "</GetCallerIdentityResult></GetCallerIdentityResponse>",
                   0);
    aws_session_options o;
    memset(&o, 0, sizeof o);
    aws_session *s = NULL;
    error_clear(&err);
    CHECK_INT(aws_session_open(&o, &s, &err), ST_OK);
    if (s) {
        CHECK_STR(s->profile, "admin");
        CHECK_STR(s->region, "ap-southeast-2");
        CHECK_STR(s->creds->method, "assume-role");
        sts_identity id;
        CHECK_INT(sts_get_caller_identity(s->client, &id, &err), ST_OK);
        CHECK_STR(id.account, "123456789012");
        sts_identity_free(&id);
    }
    aws_session_free(s);
    CHECK(fx_contains(srv.log, "/ap-southeast-2/sts/aws4_request"));
    CHECK(fx_contains(srv.log, "Credential=ASIAADMIN/"));
    stop();
}

/* An IAM/STS answer over 2 MiB is refused while it is read: expat would
 * otherwise expand up to 16 MiB of it. */
static void test_sts_answer_cap(void)
{
    start();
    signal(SIGPIPE, SIG_IGN); /* the client hangs up on the fake server */
    setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    setenv("AWS_ACCESS_KEY_ID", "AKIDCAP", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETCAP", 1);
    setenv("AWS_ENDPOINT_URL_STS", fake_url(&srv, "/"), 1);
    setenv("AWS_MAX_ATTEMPTS", "1", 1);
    size_t pad = 3u * 1024 * 1024;
    static const char head[] = "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                               "<Account>123456789012</Account>",
                      tail[] = "</GetCallerIdentityResult></GetCallerIdentityResponse>";
    char *big = malloc(sizeof head + pad + sizeof tail);
    memcpy(big, head, sizeof head - 1);
    memset(big + sizeof head - 1, ' ', pad);
    memcpy(big + sizeof head - 1 + pad, tail, sizeof tail);
    fake_route_add(&srv, "POST", "/", "Action=GetCallerIdentity", 200, big, 0);
    aws_session_options o;
    memset(&o, 0, sizeof o);
    aws_session *s = NULL;
    error_clear(&err);
    CHECK_INT(aws_session_open(&o, &s, &err), ST_OK);
    if (s) {
        sts_identity id;
        CHECK_INT(sts_get_caller_identity(s->client, &id, &err), ST_PARSE);
        CHECK(fx_contains(err.message, "larger than 2097152 bytes"));
    }
    aws_session_free(s);
    stop();
    unsetenv("AWS_MAX_ATTEMPTS");
    free(big);
}

int main(void)
{
    check_suite = "creds-net";
    http_global_init();
    check_run("IMDSv2", test_imds_v2);
    check_run("IAM/STS answers over 2 MiB refused", test_sts_answer_cap);
    check_run("IMDSv1 fallback and its switch", test_imds_v1_fallback);
    check_run("IMDS failures mean no credentials", test_imds_failures);
    check_run("container credentials and tokens", test_container);
    check_run("container retries", test_container_retry);
    check_run("assume-role with MFA and chains", test_assume_role);
    check_run("assume-role errors", test_assume_role_errors);
    check_run("web identity", test_web_identity);
    check_run("session end to end", test_session_end_to_end);
    fx_cleanup();
    http_global_cleanup();
    return check_exit();
}
