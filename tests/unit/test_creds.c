/* The credential chain without any network: environment, files,
 * credential_process, SSO profiles, role configuration errors and the
 * provider refresh rules. Session resolution is in test_session.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "aws/creds/chain.h"
#include "aws/creds/sso.h"
#include "aws/profile.h"
#include "aws_fixture.h"
#include "check.h"
#include "net/http.h"

static sc_error err;

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
    sts.region = "us-east-1";
    creds_chain_options o = {pf, profile, from_option, &sts, NULL, NULL, 0};
    st = creds_chain_resolve(&o, out, &err);
    profile_files_free(pf);
    return st;
}

/* Resolves and checks method and access key; returns the provider. */
static creds_provider *expect_creds(const char *profile, int from_option, const char *method,
                                    const char *akid)
{
    creds_provider *p = NULL;
    status_t st = resolve(profile, from_option, &p);
    if (st != ST_OK) {
        fprintf(stderr, "  resolve failed (%d): %s\n", st, err.message);
        check_case_failed = 1;
        return NULL;
    }
    CHECK_STR(p->method, method);
    CHECK(p->loaded);
    CHECK_STR(p->current.access_key_id, akid);
    return p;
}

/* No secret value (all spelled SECRET... in these tests) in a message;
 * the variable name AWS_SECRET_ACCESS_KEY is fine. */
static int no_secret(const char *msg)
{
    for (const char *s = msg; (s = strstr(s, "SECRET")); s++)
        if (s < msg + 4 || strncmp(s - 4, "AWS_SECRET_ACCESS_KEY", 21) != 0)
            return 0;
    return 1;
}

static void expect_fail(const char *profile, int from_option, status_t want, const char *needle)
{
    creds_provider *p = NULL;
    CHECK_INT(resolve(profile, from_option, &p), want);
    CHECK(p == NULL);
    CHECK(fx_contains(err.message, needle));
    CHECK(no_secret(err.message));
}

/* ---- environment ---- */

static void test_env(void)
{
    fx_reset();
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
    setenv("AWS_SESSION_TOKEN", "TOKNEW", 1);
    setenv("AWS_SECURITY_TOKEN", "TOKLEGACY", 1);
    setenv("AWS_CREDENTIAL_EXPIRATION", "2099-01-02T03:04:05Z", 1);
    setenv("AWS_ACCOUNT_ID", "123456789012", 1);
    creds_provider *p = expect_creds("default", 0, "env", "AKIDENV");
    if (p) {
        CHECK_STR(p->current.secret_access_key, "SECRETENV");
        CHECK_STR(p->current.session_token, "TOKLEGACY"); /* botocore's order */
        CHECK_INT(p->current.expiration, 4071006245);
        CHECK_STR(p->current.account_id, "123456789012");
        CHECK_STR(p->profile, "");
    }
    creds_provider_free(p);
    setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
    expect_fail("default", 0, ST_CREDENTIALS, "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601");
    unsetenv("AWS_CREDENTIAL_EXPIRATION");
    unsetenv("AWS_SECRET_ACCESS_KEY");
    expect_fail("default", 0, ST_CREDENTIALS, "AWS_SECRET_ACCESS_KEY is not");
}

static void test_env_vs_profile(void)
{
    fx_reset();
    fx_write(".aws/credentials",
             "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = SECRETDEV\n", 0600);
    setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "SECRETENV", 1);
    /* AWS_PROFILE (from_option 0): the environment keys still win. */
    creds_provider *p = expect_creds("dev", 0, "env", "AKIDENV");
    creds_provider_free(p);
    /* --profile: the environment is skipped. */
    p = expect_creds("dev", 1, "shared-credentials-file", "AKIDDEV");
    if (p)
        CHECK_STR(p->profile, "dev");
    creds_provider_free(p);
}

/* ---- files ---- */

static void test_files_order(void)
{
    fx_reset();
    fx_write(".aws/credentials",
             "[both]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = SECRET1\n"
             "aws_session_token = TOK1\naws_account_id = 111122223333\n"
             "[partial]\naws_access_key_id = AKIDPARTIAL\n",
             0600);
    fx_write(".aws/config",
             "[profile both]\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = SECRET2\n"
             "[profile conf]\naws_access_key_id = AKIDCONF\naws_secret_access_key = SECRET3\n"
             "aws_security_token = TOKLEGACY\naws_session_token = TOKNEW\n",
             0600);
    creds_provider *p = expect_creds("both", 1, "shared-credentials-file", "AKIDCREDS");
    if (p) {
        CHECK_STR(p->current.session_token, "TOK1");
        CHECK_STR(p->current.account_id, "111122223333");
        CHECK_INT(p->current.expiration, 0);
    }
    creds_provider_free(p);
    p = expect_creds("conf", 1, "config-file", "AKIDCONF");
    if (p)
        CHECK_STR(p->current.session_token, "TOKLEGACY");
    creds_provider_free(p);
    expect_fail("partial", 1, ST_CREDENTIALS,
                "profile \"partial\" in ~/.aws/credentials has aws_access_key_id but no "
                "aws_secret_access_key");
}

#define SSO_CONFIG                                                                                 \
    "[profile corp]\nsso_session = c\nsso_account_id = 123456789012\n"                             \
    "sso_role_name = Admin\n[sso-session c]\nsso_region = us-east-1\n"                             \
    "sso_start_url = https://corp.awsapps.com/start\n"                                             \
    "[profile old]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"      \
    "sso_account_id = 123456789012\nsso_role_name = Admin\n"

/* The cache as `aws sso login` leaves it, under the name botocore gives it. */
static void sso_cache(const char *key, const char *expires, const char *registration)
{
    char name[46], path[128], text[600];
    sso_cache_name(key, name);
    mkdir(fx_path(".aws"), 0700);
    mkdir(fx_path(".aws/sso"), 0700);
    mkdir(fx_path(".aws/sso/cache"), 0700);
    snprintf(path, sizeof path, ".aws/sso/cache/%s", name);
    snprintf(text, sizeof text,
             "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"us-east-1\", "
             "\"accessToken\": \"SECRETACCESS\", \"expiresAt\": \"%s\"%s%s%s}",
             expires,
             registration ? ", \"clientId\": \"cid\", \"clientSecret\": \"SECRETCLIENT\", "
                            "\"refreshToken\": \"SECRETREFRESH\", \"registrationExpiresAt\": \""
                          : "",
             registration ? registration : "", registration ? "\"" : "");
    fx_write(path, text, 0600);
}

static void test_sso_cache_name(void)
{
    char name[46];
    /* hashlib.sha1(b"corp").hexdigest(), as botocore's SSOTokenLoader */
    sso_cache_name("corp", name);
    CHECK_STR(name, "ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    sso_cache_name("https://corp-sso.awsapps.com/start", name);
    CHECK_STR(name, "566e93fb0f1b98eec6fcf217fa0ff284e3af42ef.json");
}

static void test_sso_config_errors(void)
{
    fx_reset();
    fx_write(".aws/config",
             "[profile a]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n"
             "[profile b]\nsso_account_id = 1\n"
             "[profile c]\nsso_session = s\nsso_start_url = https://other/start\n"
             "sso_account_id = 1\nsso_role_name = R\n"
             "[sso-session s]\nsso_start_url = https://s/start\nsso_region = us-east-1\n"
             "[profile d]\nsso_start_url = https://s/start\nsso_region = evil.example/x#\n"
             "sso_account_id = 1\nsso_role_name = R\n",
             0600);
    expect_fail("a", 1, ST_CONFIG, "has no [sso-session nowhere] section");
    expect_fail("b", 1, ST_CONFIG,
                "is configured to use SSO but is missing sso_role_name, sso_start_url, sso_region");
    expect_fail("c", 1, ST_CONFIG, "the sso_start_url of profile \"c\" differs");
    /* The region names the host that gets the bearer token. */
    expect_fail("d", 1, ST_CONFIG, "the sso_region \"evil.example/x#\" of profile \"d\" is not");
}

static void test_sso_login_needed(void)
{
    fx_reset();
    fx_write(".aws/config", SSO_CONFIG, 0600);
    expect_fail("corp", 1, ST_CREDENTIALS, "no SSO login on this machine");
    expect_fail("corp", 1, ST_CREDENTIALS, "~/.aws/sso/cache/");
    expect_fail("corp", 1, ST_CREDENTIALS, "run `aws sso login --profile corp`");
    expect_fail("corp", 1, ST_CREDENTIALS, "--use-device-code");
    /* The older form is never refreshed, even with a registration. */
    sso_cache("https://corp.awsapps.com/start", "2020-01-01T00:00:00UTC", "2099-01-01T00:00:00Z");
    expect_fail("old", 1, ST_CREDENTIALS, "expired at 2020-01-01T00:00:00Z; run `aws sso login");
    sso_cache("c", "2020-01-01T00:00:00Z", NULL);
    expect_fail("corp", 1, ST_CREDENTIALS, "cannot be refreshed (no refresh token is cached)");
    sso_cache("c", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z");
    expect_fail("corp", 1, ST_CREDENTIALS, "the cached client registration has expired");
    sso_cache("c", "garbage", NULL);
    expect_fail("corp", 1, ST_CREDENTIALS, "has no usable accessToken and expiresAt");
}

static void test_sso_describe(void)
{
    fx_reset();
    fx_write(".aws/config", SSO_CONFIG "[profile plain]\nregion = us-east-1\n", 0600);
    profile_files *pf = NULL;
    REQUIRE(profile_files_load(&pf, &err) == ST_OK);
    sso_profile_info info;
    time_t now = time(NULL);
    CHECK_INT(sso_profile_describe(pf, "plain", now, &info), 0);
    CHECK_INT(sso_profile_describe(pf, "corp", now, &info), 1);
    CHECK_STR(info.account_id, "123456789012");
    CHECK_STR(info.role_name, "Admin");
    CHECK_INT(info.login, SSO_LOGIN_MISSING);
    sso_cache("c", "2099-01-01T00:00:00Z", NULL);
    CHECK_INT(sso_profile_describe(pf, "corp", now, &info), 1);
    CHECK_INT(info.login, SSO_LOGIN_VALID);
    sso_cache("c", "2020-01-01T00:00:00Z", "2099-01-01T00:00:00Z");
    CHECK_INT(sso_profile_describe(pf, "corp", now, &info), 1);
    CHECK_INT(info.login, SSO_LOGIN_REFRESH);
    sso_cache("c", "2020-01-01T00:00:00Z", NULL);
    CHECK_INT(sso_profile_describe(pf, "corp", now, &info), 1);
    CHECK_INT(info.login, SSO_LOGIN_EXPIRED);
    profile_files_free(pf);
}

static void test_nothing(void)
{
    fx_reset();
    expect_fail("default", 0, ST_NO_CREDENTIALS, "no AWS credentials found");
    expect_fail("default", 0, ST_NO_CREDENTIALS, "AWS_ACCESS_KEY_ID not set");
    expect_fail("default", 0, ST_NO_CREDENTIALS,
                "profile \"default\" (not in ~/.aws/config or ~/.aws/credentials)");
    expect_fail("default", 0, ST_NO_CREDENTIALS, "disabled by AWS_EC2_METADATA_DISABLED");
    expect_fail("default", 0, ST_NO_CREDENTIALS, "aws configure");
    fx_write(".aws/config", "[profile empty]\nregion = eu-west-1\n", 0600);
    expect_fail("empty", 1, ST_NO_CREDENTIALS, "skipped because of --profile");
    expect_fail("empty", 1, ST_NO_CREDENTIALS, "profile \"empty\" (it has no credentials)");
}

/* ---- credential_process ---- */

static const char *proc_script(const char *name, const char *body)
{
    char text[2048];
    snprintf(text, sizeof text, "#!/bin/sh\n%s\n", body);
    return fx_write(name, text, 0700);
}

static void set_process(const char *command_line)
{
    char text[2048];
    snprintf(text, sizeof text,
             "[profile proc]\ncredential_process = %s\naws_account_id = 999988887777\n",
             command_line);
    fx_write(".aws/config", text, 0600);
}

static void test_process_ok(void)
{
    fx_reset();
    const char *s = proc_script(
        "bin/get-creds",
        "[ \"$1\" = --user ] || exit 9\n"
        "printf '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"SECRETP\", "
        "\"SessionToken\": \"TOKP\", \"Expiration\": \"2099-01-01T00:00:00Z\"}' \"$2\"");
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s --user \"Jane Doe\"", s);
    set_process(cmd);
    creds_provider *p = expect_creds("proc", 1, "custom-process", "Jane Doe");
    if (p) {
        CHECK_STR(p->current.secret_access_key, "SECRETP");
        CHECK_STR(p->current.session_token, "TOKP");
        CHECK_INT(p->current.expiration, 4070908800);
        CHECK_STR(p->current.account_id, "999988887777");
        CHECK_STR(p->profile, "proc");
    }
    creds_provider_free(p);
    /* Resolved through PATH, like Popen. */
    char path[1200];
    snprintf(path, sizeof path, "%s:%s", fx_path("bin"), getenv("PATH"));
    char *old = strdup(getenv("PATH"));
    setenv("PATH", path, 1);
    set_process("get-creds --user 'AKID PATH'");
    p = expect_creds("proc", 1, "custom-process", "AKID PATH");
    creds_provider_free(p);
    setenv("PATH", old, 1);
    free(old);
}

static void test_process_errors(void)
{
    fx_reset();
    set_process(proc_script("fail", "echo 'helper says no' >&2; exit 3"));
    expect_fail("proc", 1, ST_CREDENTIALS,
                "credential_process of profile \"proc\" failed with exit status 3");
    set_process(proc_script("junk", "echo 'SECRETLEAK is not json'"));
    expect_fail("proc", 1, ST_CREDENTIALS, "printed unusable output: it is not a JSON object");
    set_process(proc_script("deep", "head -c 60000 /dev/zero | tr '\\0' '['"));
    expect_fail("proc", 1, ST_CREDENTIALS, "(line 1: nested more than 64 levels deep)");
    set_process(proc_script("v2", "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", "
                                  "\"SecretAccessKey\": \"SECRETV2\"}'"));
    expect_fail("proc", 1, ST_CREDENTIALS, "\"Version\" is missing or is not 1");
    set_process(proc_script("nokey", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'"));
    expect_fail("proc", 1, ST_CREDENTIALS, "\"SecretAccessKey\" is missing");
    set_process(proc_script("badexp", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", "
                                      "\"SecretAccessKey\": \"SECRETX\", "
                                      "\"Expiration\": \"soon\"}'"));
    expect_fail("proc", 1, ST_CREDENTIALS, "\"Expiration\" is not an RFC 3339 time");
    set_process(proc_script("old", "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", "
                                   "\"SecretAccessKey\": \"SECRETX\", "
                                   "\"Expiration\": \"2001-01-01T00:00:00Z\"}'"));
    expect_fail("proc", 1, ST_CREDENTIALS,
                "credentials from custom-process of profile proc expired at 2001-01-01T00:00:00Z");
    set_process(proc_script("killed", "kill -TERM $$"));
    expect_fail("proc", 1, ST_CREDENTIALS, "was killed by signal 15");
    set_process("/nonexistent/helper --flag");
    expect_fail("proc", 1, ST_CREDENTIALS, "cannot run /nonexistent/helper: No such file");
    set_process("helper 'unbalanced");
    expect_fail("proc", 1, ST_CONFIG, "cannot be split into words: No closing quotation");
    set_process("\"\"");
    expect_fail("proc", 1, ST_CREDENTIALS, "cannot run");
}

static void test_process_refresh(void)
{
    fx_reset();
    char body[1024];
    snprintf(body, sizeof body,
             "echo x >> '%s'\n"
             "printf '{\"Version\": 1, \"AccessKeyId\": \"A%%s\", \"SecretAccessKey\": \"S\", "
             "\"Expiration\": \"%%s\"}' $(wc -l < '%s') \"$(date -u -d '+%s' "
             "+%%Y-%%m-%%dT%%H:%%M:%%SZ)\"",
             fx_path("count"), fx_path("count"), "5 min");
    set_process(proc_script("rotating", body));
    creds_provider *p = expect_creds("proc", 1, "custom-process", "A1");
    if (!p)
        return;
    /* Expiring within 10 minutes: every use asks the helper again. */
    const aws_credentials *c = NULL;
    CHECK_INT(creds_provider_get(p, &c, &err), ST_OK);
    CHECK_STR(c->access_key_id, "A2");
    creds_provider_free(p);
    snprintf(body, sizeof body,
             "echo x >> '%s'\n"
             "printf '{\"Version\": 1, \"AccessKeyId\": \"B%%s\", \"SecretAccessKey\": \"S\", "
             "\"Expiration\": \"%%s\"}' $(wc -l < '%s') \"$(date -u -d '+%s' "
             "+%%Y-%%m-%%dT%%H:%%M:%%SZ)\"",
             fx_path("count2"), fx_path("count2"), "1 hour");
    set_process(proc_script("stable", body));
    p = expect_creds("proc", 1, "custom-process", "B1");
    if (p) {
        CHECK_INT(creds_provider_get(p, &c, &err), ST_OK);
        CHECK_STR(c->access_key_id, "B1");
    }
    creds_provider_free(p);
}

/* ---- provider base ---- */

typedef struct count_provider {
    creds_provider base;
    int calls;
    int fail_from; /* calls from this one on fail; 0 = never */
    time_t lifetime;
} count_provider;

static status_t count_load(creds_provider *self, aws_credentials *out, sc_error *e)
{
    count_provider *cp = (count_provider *)self;
    cp->calls++;
    if (cp->fail_from && cp->calls >= cp->fail_from)
        return error_set(e, ST_CREDENTIALS, "source down");
    char id[16];
    snprintf(id, sizeof id, "K%d", cp->calls);
    out->access_key_id = strdup(id);
    out->secret_access_key = strdup("S");
    out->expiration = time(NULL) + cp->lifetime;
    return ST_OK;
}

static void test_refresh_rules(void)
{
    count_provider cp;
    memset(&cp, 0, sizeof cp);
    cp.base.load = count_load;
    cp.base.method = "test";
    cp.lifetime = 3600;
    const aws_credentials *c;
    CHECK_INT(creds_provider_get(&cp.base, &c, &err), ST_OK);
    CHECK_INT(creds_provider_get(&cp.base, &c, &err), ST_OK);
    CHECK_INT(cp.calls, 1);
    /* Inside the 10-minute window: fetched again. */
    cp.base.current.expiration = time(NULL) + 9 * 60;
    CHECK_INT(creds_provider_get(&cp.base, &c, &err), ST_OK);
    CHECK_INT(cp.calls, 2);
    CHECK_STR(c->access_key_id, "K2");
    /* A failed refresh keeps keys that still have a while to live... */
    cp.fail_from = 3;
    cp.base.current.expiration = time(NULL) + 5 * 60;
    CHECK_INT(creds_provider_get(&cp.base, &c, &err), ST_OK);
    CHECK_STR(c->access_key_id, "K2");
    /* ...but not ones about to expire. */
    cp.base.current.expiration = time(NULL) + 30;
    CHECK_INT(creds_provider_get(&cp.base, &c, &err), ST_CREDENTIALS);
    CHECK_STR(err.message, "source down");
    aws_credentials_clear(&cp.base.current);

    aws_credentials fixed = {"AKIDSTATIC", "SECRET", NULL, 0, NULL};
    creds_provider *sp = creds_provider_static(&fixed, "explicit");
    CHECK_INT(creds_provider_get(sp, &c, &err), ST_OK);
    CHECK_STR(c->access_key_id, "AKIDSTATIC");
    CHECK_STR(sp->method, "explicit");
    creds_provider_free(sp);
}

/* ---- roles: configuration errors found before any STS call ---- */

static int mfa_refuses(void *ctx, const char *serial, char *code, size_t n)
{
    (void)ctx, (void)serial, (void)code, (void)n;
    return -1;
}

static void test_role_config_errors(void)
{
    fx_reset();
    fx_write(".aws/credentials",
             "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = SECRETB\n", 0600);
    fx_write(".aws/config",
             "[profile both]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = "
             "base\ncredential_source = Environment\n"
             "[profile neither]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
             "aws_access_key_id = AKIDSTATIC\naws_secret_access_key = SECRETS\n"
             "[profile badsrc]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
             "credential_source = environment\n"
             "[profile envsrc]\nrole_arn = arn:aws:iam::123456789012:role/R\n"
             "credential_source = Environment\n"
             "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/A\nsource_profile = b\n"
             "[profile b]\nrole_arn = arn:aws:iam::123456789012:role/B\nsource_profile = a\n"
             "[profile self]\nrole_arn = arn:aws:iam::123456789012:role/S\nsource_profile = self\n"
             "[profile ghost]\nrole_arn = arn:aws:iam::123456789012:role/G\n"
             "source_profile = nowhere\n"
             "[profile hollow]\nregion = eu-west-1\n"
             "[profile usehollow]\nrole_arn = arn:aws:iam::123456789012:role/H\n"
             "source_profile = hollow\n"
             "[profile dur]\nrole_arn = arn:aws:iam::123456789012:role/D\nsource_profile = base\n"
             "duration_seconds = an hour\n"
             "[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/M\nsource_profile = base\n"
             "mfa_serial = arn:aws:iam::123456789012:mfa/alice\n",
             0600);
    expect_fail("both", 1, ST_CONFIG, "sets both source_profile and credential_source");
    /* role_arn beats the static keys of the same profile. */
    expect_fail("neither", 1, ST_CONFIG, "neither source_profile nor credential_source");
    expect_fail("badsrc", 1, ST_CONFIG, "credential_source \"environment\" of profile \"badsrc\"");
    expect_fail("envsrc", 1, ST_CREDENTIALS,
                "credential_source Environment of profile \"envsrc\" found no credentials");
    expect_fail("a", 1, ST_CONFIG, "loop (a -> b -> a)");
    expect_fail("self", 1, ST_CONFIG, "loop (self -> self)");
    expect_fail("ghost", 1, ST_CONFIG, "the source_profile \"nowhere\" of profile \"ghost\"");
    expect_fail("usehollow", 1, ST_CONFIG,
                "the source_profile \"hollow\" of profile \"usehollow\" has no credentials");
    expect_fail("dur", 1, ST_CONFIG, "duration_seconds of profile \"dur\"");
    expect_fail("mfa", 1, ST_MISSING_ANSWER,
                "needs an MFA code for arn:aws:iam::123456789012:mfa/alice");
    profile_files *pf = NULL;
    CHECK_INT(profile_files_load(&pf, &err), ST_OK);
    aws_client_config sts;
    memset(&sts, 0, sizeof sts);
    sts.region = "us-east-1";
    creds_chain_options o = {pf, "mfa", 1, &sts, mfa_refuses, NULL, 0};
    creds_provider *p = NULL;
    CHECK_INT(creds_chain_resolve(&o, &p, &err), ST_MISSING_ANSWER);
    profile_files_free(pf);
}

static void test_web_identity_config(void)
{
    fx_reset();
    fx_write(".aws/config",
             "[profile w]\nweb_identity_token_file = /nonexistent/token\n"
             "[profile w2]\nweb_identity_token_file = /nonexistent/token\n"
             "role_arn = arn:aws:iam::123456789012:role/W\n"
             "[profile plain]\naws_access_key_id = AKIDPLAIN\naws_secret_access_key = S\n",
             0600);
    expect_fail("w", 1, ST_CONFIG, "web identity token file is configured but no role ARN");
    expect_fail("w2", 1, ST_CREDENTIALS, "cannot read web identity token file /nonexistent/token");
    /* The environment form applies without --profile only. */
    setenv("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/envtoken", 1);
    setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/E", 1);
    expect_fail("plain", 0, ST_CREDENTIALS, "/nonexistent/envtoken");
    creds_provider *p = expect_creds("plain", 1, "config-file", "AKIDPLAIN");
    creds_provider_free(p);
}

static void test_container_url_check(void)
{
    fx_reset();
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds", 1);
    expect_fail("default", 0, ST_CONFIG, "its host is \"example.com\"");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.170.9:80/x", 1);
    expect_fail("default", 0, ST_CONFIG, "its host is \"169.254.170.9\"");
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://user:PASSWORD@127.0.0.1/x", 1);
    expect_fail("default", 0, ST_BAD_INPUT, "has a user name or password before '@' (not shown)");
    CHECK(strstr(err.message, "PASSWORD") == NULL);
    setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/x", 1);
    expect_fail("default", 0, ST_CONFIG, "is not an http:// or https:// URL");
    unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    /* Appended to http://169.254.170.2, "@host/x" would make host the
     * server the container token goes to. */
    const char *bad_rel[] = {"@127.0.0.1/x", ".evil.example/x", ":8080/x", "x"};
    for (size_t i = 0; i < sizeof bad_rel / sizeof bad_rel[0]; i++) {
        setenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", bad_rel[i], 1);
        expect_fail("default", 0, ST_CONFIG, "must be a path starting with '/'");
    }
    unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
}

int main(void)
{
    check_suite = "creds";
    http_global_init();
    check_run("environment keys", test_env);
    check_run("environment vs AWS_PROFILE vs --profile", test_env_vs_profile);
    check_run("credentials file before config file", test_files_order);
    check_run("SSO token cache file names", test_sso_cache_name);
    check_run("SSO configuration errors", test_sso_config_errors);
    check_run("SSO login missing or expired", test_sso_login_needed);
    check_run("SSO profiles described for the wizard", test_sso_describe);
    check_run("nothing found lists what was tried", test_nothing);
    check_run("credential_process", test_process_ok);
    check_run("credential_process failures", test_process_errors);
    check_run("credential_process refresh", test_process_refresh);
    check_run("refresh window and grace", test_refresh_rules);
    check_run("role configuration errors", test_role_config_errors);
    check_run("web identity configuration", test_web_identity_config);
    check_run("container full URI hosts", test_container_url_check);
    fx_cleanup();
    http_global_cleanup();
    return check_exit();
}
