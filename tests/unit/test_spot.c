/* The Spot client's answer parsing and where its token and account come
 * from. HTTP behaviour (retries, logging) is in integration/test_spot_client. */
#include <stdlib.h>
#include <string.h>

#include "aws_fixture.h"
#include "check.h"
#include "spot/auth.h"
#include "spot/spot_internal.h"

/* ---- envelope ---- */

static status_t parse(long status, const char *body, spot_answer *a, sc_error *err)
{
    error_clear(err);
    return spot_answer_parse(status, body, body ? strlen(body) : 0, "tok-SECRET-123", a, err);
}

static void test_create_answer_with_id(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200,
                    "{\"request\":{\"id\":\"64181193-f129\",\"url\":\"/setup/account\"},"
                    "\"response\":{\"status\":{\"code\":200,\"message\":\"OK\"},"
                    "\"kind\":\"spotinst:setup:account\",\"items\":[{\"id\":\"act-123456\","
                    "\"name\":\"AccountName\",\"organizationId\":\"606012341234\"}],\"count\":1}}",
                    &a, &err),
              ST_OK);
    CHECK_STR(a.request_id, "64181193-f129");
    REQUIRE(a.items && a.items->u.array.len == 1);
    spot_account acct;
    CHECK_INT(spot_account_from_json(a.items->u.array.values[0], &acct), ST_OK);
    CHECK_STR(acct.id, "act-123456");
    CHECK_STR(acct.name, "AccountName");
    CHECK_STR(acct.organization_id, "606012341234");
    CHECK(acct.provider_external_id == NULL);
    CHECK(acct.cloud_provider == NULL);
    spot_account_free(&acct);
    spot_answer_free(&a);
}

static void test_list_answer_with_account_id(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200,
                    "{\"request\":{\"id\":\"e2923755\"},\"response\":{\"items\":["
                    "{\"accountId\":\"act-0b18f123\",\"organizationId\":606079861123,"
                    "\"name\":\"test\",\"providerExternalId\":123456789,"
                    "\"cloudProvider\":\"AWS\"},"
                    "{\"accountId\":\"act-57765123\",\"organizationId\":\"606079861123\","
                    "\"name\":\"prod\",\"providerExternalId\":\"012345678901\"},"
                    "{\"accountId\":\"act-3\",\"providerExternalId\":null}]}}",
                    &a, &err),
              ST_OK);
    CHECK(a.items && a.items->u.array.len == 3);
    if (!a.items || a.items->u.array.len != 3) {
        spot_answer_free(&a);
        return;
    }
    spot_account x;
    CHECK_INT(spot_account_from_json(a.items->u.array.values[0], &x), ST_OK);
    CHECK_STR(x.id, "act-0b18f123");
    CHECK_STR(x.organization_id, "606079861123");
    /* A JSON number drops an AWS account number's leading zeros. */
    CHECK_STR(x.provider_external_id, "000123456789");
    CHECK_STR(x.cloud_provider, "AWS");
    spot_account_free(&x);
    CHECK_INT(spot_account_from_json(a.items->u.array.values[1], &x), ST_OK);
    CHECK_STR(x.organization_id, "606079861123");
    CHECK_STR(x.provider_external_id, "012345678901");
    spot_account_free(&x);
    CHECK_INT(spot_account_from_json(a.items->u.array.values[2], &x), ST_OK);
    CHECK(x.provider_external_id == NULL);
    CHECK(x.name == NULL);
    spot_account_free(&x);
    spot_answer_free(&a);
}

static void test_item_without_id(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200, "{\"response\":{\"items\":[{\"name\":\"x\"},{\"id\":\"\"}]}}", &a, &err),
              ST_OK);
    spot_account x;
    CHECK_INT(spot_account_from_json(a.items->u.array.values[0], &x), ST_PARSE);
    CHECK(x.id == NULL);
    CHECK_INT(spot_account_from_json(a.items->u.array.values[1], &x), ST_PARSE);
    CHECK_INT(spot_account_from_json(NULL, &x), ST_PARSE);
    spot_answer_free(&a);
}

static void test_error_with_field(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(400,
                    "{\"request\":{\"id\":\"rid-1\"},\"response\":{\"status\":{\"code\":400,"
                    "\"message\":\"Bad Request\"},\"errors\":[{\"code\":\"VALIDATION_ERROR\","
                    "\"message\":\"name is invalid\",\"field\":\"account.name\"},"
                    "{\"code\":\"OTHER\",\"message\":\"second\"}]}}",
                    &a, &err),
              ST_SPOT);
    CHECK_STR(err.code, "VALIDATION_ERROR");
    CHECK_STR(err.message, "name is invalid (field account.name)");
    CHECK_STR(err.request_id, "rid-1");
    CHECK_INT(err.http_status, 400);
    CHECK(a.root == NULL);
}

static void test_error_without_field(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(400,
                    "{\"request\":{\"id\":\"rid-2\"},\"response\":{\"errors\":[{\"code\":"
                    "\"Account_DOESNT_EXIST\",\"message\":\"Account does not exist\"}]}}",
                    &a, &err),
              ST_SPOT);
    CHECK_STR(err.code, "Account_DOESNT_EXIST");
    CHECK_STR(err.message, "Account does not exist");
    /* A code with no message still says something. */
    CHECK_INT(parse(409, "{\"response\":{\"errors\":[{\"code\":\"CONFLICT\"}]}}", &a, &err),
              ST_SPOT);
    CHECK_STR(err.code, "CONFLICT");
    CHECK_STR(err.message, "CONFLICT");
    CHECK_STR(err.request_id, "");
}

static void test_error_status_only(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(400,
                    "{\"request\":{\"id\":\"dfd9\"},\"response\":{\"status\":{\"message\":"
                    "\"Fail\",\"code\":400}}}",
                    &a, &err),
              ST_SPOT);
    CHECK_STR(err.code, "HTTP 400");
    CHECK_STR(err.message, "Fail");
    CHECK_STR(err.request_id, "dfd9");
}

static void test_non_json_error(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(400, "Bad Request", &a, &err), ST_SPOT);
    CHECK_STR(err.code, "HTTP 400");
    CHECK_STR(err.message, "HTTP 400 with a non-JSON answer");
    CHECK_INT(parse(502, "<html><body>502 Bad Gateway</body></html>", &a, &err), ST_SPOT);
    CHECK_STR(err.message, "HTTP 502 with a non-JSON answer");
    /* JSON that is not an object is no envelope either. */
    CHECK_INT(parse(500, "[1,2]", &a, &err), ST_SPOT);
    CHECK_STR(err.message, "HTTP 500 with a non-JSON answer");
}

static void test_empty_bodies(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200, "", &a, &err), ST_OK);
    CHECK(a.root == NULL && a.items == NULL);
    CHECK_STR(a.request_id, "");
    spot_answer_free(&a);
    CHECK_INT(parse(200, NULL, &a, &err), ST_OK);
    spot_answer_free(&a);
    CHECK_INT(parse(500, " \n", &a, &err), ST_SPOT);
    CHECK_STR(err.code, "HTTP 500");
    CHECK_STR(err.message, "HTTP 500 with no error details");
    CHECK_INT(parse(503, "{}", &a, &err), ST_SPOT);
    CHECK_STR(err.message, "HTTP 503 with no error details");
}

static void test_items_missing(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200, "{\"request\":{\"id\":\"r\"},\"response\":{\"status\":{\"code\":200}}}",
                    &a, &err),
              ST_OK);
    CHECK(a.items == NULL);
    CHECK_STR(a.request_id, "r");
    spot_answer_free(&a);
    CHECK_INT(parse(200, "{\"response\":{\"items\":{\"id\":\"x\"}}}", &a, &err), ST_OK);
    CHECK(a.items == NULL); /* not an array: ignored */
    spot_answer_free(&a);
}

static void test_non_json_success(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200, "OK", &a, &err), ST_PARSE);
    CHECK_INT(err.http_status, 200);
    CHECK(a.root == NULL);
    CHECK_INT(parse(201, "{\"response\":{}}", &a, &err), ST_SPOT); /* only 200 is success */
    CHECK_STR(err.code, "HTTP 201");
}

/* A hostile or broken peer's nested brackets: refused with a reason, not a
 * stack overflow in yajl (600 KB crashed every Spot call). */
static void test_deep_answers(void)
{
    size_t n = 600 * 1024;
    char *body = malloc(n + 1);
    memset(body, '[', n);
    body[n] = '\0';
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(200, body, &a, &err), ST_PARSE);
    CHECK(fx_contains(err.message, "nested more than 64 levels"));
    CHECK_INT(parse(500, body, &a, &err), ST_SPOT);
    CHECK(fx_contains(err.message, "non-JSON"));
    free(body);
}

/* One rule for the wizard and the client, ASCII letters only: in a
 * Latin-1 locale isalpha(0xE9) was true in the wizard's copy. */
static void test_account_name_rule(void)
{
    CHECK(spot_account_name_problem("prod-1") == NULL);
    CHECK(spot_account_name_problem("1x") == NULL);
    CHECK(spot_account_name_problem("123-456") != NULL);
    CHECK(spot_account_name_problem("\xe9\xe9") != NULL);
    CHECK(spot_account_name_problem("\xc3\xa9") != NULL);
    CHECK(spot_account_name_problem("") != NULL);
    CHECK(spot_account_name_problem(NULL) != NULL);
}

static void test_rejected_token(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(401,
                    "{\"request\":{\"id\":\"r401\"},\"response\":{\"errors\":[{\"code\":"
                    "\"UNAUTHORIZED\",\"message\":\"bad token tok-SECRET-123\"}]}}",
                    &a, &err),
              ST_SPOT);
    CHECK(fx_contains(err.message, "organization-admin"));
    CHECK(fx_contains(err.message, "token"));
    CHECK(fx_contains(err.message, "HTTP 401"));
    CHECK(strstr(err.message, "tok-SECRET-123") == NULL);
    CHECK_STR(err.code, "UNAUTHORIZED");
    CHECK_STR(err.request_id, "r401");
    CHECK_INT(parse(403, "Forbidden", &a, &err), ST_SPOT);
    CHECK(fx_contains(err.message, "organization-admin"));
    CHECK_STR(err.code, "HTTP 403");
}

static void test_echoed_token_masked(void)
{
    spot_answer a;
    sc_error err;
    CHECK_INT(parse(400,
                    "{\"request\":{\"id\":\"tok-SECRET-123\"},\"response\":{\"errors\":[{"
                    "\"code\":\"tok-SECRET-123\",\"message\":\"x tok-SECRET-123 y "
                    "tok-SECRET-123\"}]}}",
                    &a, &err),
              ST_SPOT);
    CHECK_STR(err.message, "x *** y ***");
    CHECK_STR(err.code, "***");
    CHECK_STR(err.request_id, "***");
}

static void test_build_url(void)
{
    buf_t b = BUF_INIT;
    spot_build_url(&b, "https://api.spotinst.io", "/setup/account", NULL, NULL);
    CHECK_STR(buf_str(&b), "https://api.spotinst.io/setup/account");
    buf_reset(&b);
    spot_build_url(&b, "https://127.0.0.1:8443//", "/setup/credentials/aws", "accountId",
                   "act-12 &x=y");
    CHECK_STR(buf_str(&b),
              "https://127.0.0.1:8443/setup/credentials/aws?accountId=act-12%20%26x%3Dy");
    buf_free(&b);
}

/* ---- auth ---- */

static void clear_spot_env(void)
{
    static const char *const names[] = {"SPOTINST_TOKEN", "SPOTINST_ACCOUNT", "SPOTINST_PROFILE",
                                        "SPOTINST_SHARED_CREDENTIALS_FILE"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

static void reset(void)
{
    fx_reset();
    clear_spot_env();
}

/* Resolves and checks the outcome; returns the status. */
static status_t resolve(const char *token_file, const char *account, spot_auth *a, sc_error *err)
{
    status_t st = spot_auth_resolve(token_file, account, a, err);
    if (st != ST_OK)
        CHECK(a->token == NULL && a->account == NULL);
    return st;
}

static void expect(const char *token_file, const char *account, const char *want_token,
                   const char *want_account, const char *want_source)
{
    spot_auth a;
    sc_error err;
    if (resolve(token_file, account, &a, &err) != ST_OK) {
        fprintf(stderr, "  unexpected error: %s\n", err.message);
        check_case_failed = 1;
        return;
    }
    if (want_token)
        CHECK_STR(a.token, want_token);
    else
        CHECK(a.token == NULL);
    if (want_account)
        CHECK_STR(a.account, want_account);
    else
        CHECK(a.account == NULL);
    CHECK_STR(a.source, want_source);
    spot_auth_clear(&a);
}

static void expect_config_error(const char *token_file, const char *needle)
{
    spot_auth a;
    sc_error err;
    CHECK_INT(resolve(token_file, NULL, &a, &err), ST_CONFIG);
    CHECK(fx_contains(err.message, needle));
}

static void test_nothing_anywhere(void)
{
    reset();
    expect(NULL, NULL, NULL, NULL, "");
    expect(NULL, "act-explicit", NULL, "act-explicit", "");
}

static void test_token_file(void)
{
    reset();
    const char *p = fx_write("tok", "  tok-from-file \t\r\nsecond line\n", 0600);
    expect(p, NULL, "tok-from-file", NULL, "--token-file");
    fx_write("tok2", "no-newline", 0600);
    expect("~/tok2", NULL, "no-newline", NULL, "--token-file");
}

static void test_token_file_problems(void)
{
    reset();
    expect_config_error(fx_path("absent"), "absent");
    fx_write("empty", "\n\ntok-on-line-3\n", 0600);
    expect_config_error(fx_path("empty"), "empty");
    fx_write("spaced", "tok with-space-SECRET\n", 0600);
    spot_auth a;
    sc_error err;
    CHECK_INT(resolve(fx_path("spaced"), NULL, &a, &err), ST_CONFIG);
    CHECK(strstr(err.message, "SECRET") == NULL);
    expect_config_error(fx_dir, "directory");
}

static void test_env_token(void)
{
    reset();
    setenv("SPOTINST_TOKEN", "tok-env", 1);
    setenv("SPOTINST_ACCOUNT", "act-env", 1);
    expect(NULL, NULL, "tok-env", "act-env", "SPOTINST_TOKEN");
    expect(NULL, "act-arg", "tok-env", "act-arg", "SPOTINST_TOKEN");
    /* --token-file wins over the environment. */
    expect(fx_write("t", "tok-file\n", 0600), NULL, "tok-file", "act-env", "--token-file");
    setenv("SPOTINST_TOKEN", "", 1);
    expect(NULL, NULL, NULL, "act-env", "");
}

static void test_ini_default(void)
{
    reset();
    fx_write(".spotinst/credentials",
             "[default]\ntoken = tok-ini\naccount = act-ini\n\n[dev]\ntoken   = tok-dev\n"
             "account = act-dev\n",
             0600);
    expect(NULL, NULL, "tok-ini", "act-ini", "~/.spotinst/credentials [default]");
    setenv("SPOTINST_PROFILE", "dev", 1);
    expect(NULL, NULL, "tok-dev", "act-dev", "~/.spotinst/credentials [dev]");
}

static void test_precedence(void)
{
    reset();
    fx_write(".spotinst/credentials", "[default]\ntoken = tok-ini\naccount = act-ini\n", 0600);
    setenv("SPOTINST_TOKEN", "tok-env", 1);
    /* The token from the environment, the account still from the file. */
    expect(NULL, NULL, "tok-env", "act-ini", "SPOTINST_TOKEN");
    setenv("SPOTINST_ACCOUNT", "act-env", 1);
    expect(NULL, NULL, "tok-env", "act-env", "SPOTINST_TOKEN");
    expect(NULL, "act-arg", "tok-env", "act-arg", "SPOTINST_TOKEN");
    unsetenv("SPOTINST_TOKEN");
    expect(NULL, NULL, "tok-ini", "act-env", "~/.spotinst/credentials [default]");
}

static void test_yaml_profiles(void)
{
    reset();
    fx_write(".spotinst/credentials",
             "# written by an older SDK\n"
             "default:\n"
             "  token: tok-yaml  # comment\n"
             "  account: \"act-yaml\"\n"
             "\n"
             "dev:\n"
             "  token: 'tok-dev'\n"
             "  account: act-dev\n"
             "prod:\n"
             "\ttoken: tok-prod\n",
             0600);
    expect(NULL, NULL, "tok-yaml", "act-yaml", "~/.spotinst/credentials [default]");
    setenv("SPOTINST_PROFILE", "dev", 1);
    expect(NULL, NULL, "tok-dev", "act-dev", "~/.spotinst/credentials [dev]");
    setenv("SPOTINST_PROFILE", "prod", 1);
    expect(NULL, NULL, "tok-prod", NULL, "~/.spotinst/credentials [prod]");
    setenv("SPOTINST_PROFILE", "nope", 1);
    expect_config_error(NULL, "`nope`");
}

static void test_yaml_flat_and_json(void)
{
    reset();
    fx_write(".spotinst/credentials", "token: tok-flat\naccount: act-flat\n", 0600);
    expect(NULL, NULL, "tok-flat", "act-flat", "~/.spotinst/credentials [default]");
    setenv("SPOTINST_PROFILE", "dev", 1);
    expect_config_error(NULL, "not in ~/.spotinst/credentials");
    unsetenv("SPOTINST_PROFILE");
    fx_write(".spotinst/credentials", "{\"token\":\"tok-json\",\"account\":\"act-json\"}\n", 0600);
    expect(NULL, NULL, "tok-json", "act-json", "~/.spotinst/credentials [default]");
    /* Nested brackets crashed `connect` (stack overflow in yajl's free). */
    size_t n = 600 * 1024;
    char *deep = malloc(n + 20);
    strcpy(deep, "{\"token\":\"tok-x\",\"a\":");
    size_t head = strlen(deep);
    memset(deep + head, '[', n - head);
    deep[n] = '\0';
    fx_write(".spotinst/credentials", deep, 0600);
    free(deep);
    expect_config_error(NULL, "nested more than 64 levels");
}

static void test_profiles_missing(void)
{
    reset();
    fx_write(".spotinst/credentials", "[other]\ntoken = tok-other\n", 0600);
    /* "default" was not asked for by name: nothing found is no error. */
    expect(NULL, NULL, NULL, NULL, "");
    setenv("SPOTINST_PROFILE", "missing", 1);
    expect_config_error(NULL, "`missing`");
    /* No file at all: the named profile cannot be looked for. */
    unlink(fx_path(".spotinst/credentials"));
    expect(NULL, NULL, NULL, NULL, "");
}

static void test_named_file(void)
{
    reset();
    const char *p = fx_write("elsewhere", "[default]\ntoken = tok-named\n", 0600);
    setenv("SPOTINST_SHARED_CREDENTIALS_FILE", p, 1);
    char shown[600];
    snprintf(shown, sizeof shown, "%s [default]", p);
    shown[95] = '\0'; /* source is a 96-byte field */
    expect(NULL, NULL, "tok-named", NULL, shown);
    setenv("SPOTINST_SHARED_CREDENTIALS_FILE", fx_path("not-there"), 1);
    expect_config_error(NULL, "not-there");
}

static void test_malformed_files(void)
{
    reset();
    fx_write(".spotinst/credentials", "[default\ntoken = x\n", 0600);
    spot_auth a;
    sc_error err;
    CHECK_INT(resolve(NULL, NULL, &a, &err), ST_CONFIG);
    fx_write(".spotinst/credentials", "default:\n  this line has no colon\n", 0600);
    expect_config_error(NULL, "line 2");
    fx_write(".spotinst/credentials", "[default]\ntoken = two words-SECRET\n", 0600);
    CHECK_INT(resolve(NULL, NULL, &a, &err), ST_CONFIG);
    CHECK(strstr(err.message, "SECRET") == NULL);
    fx_write(".spotinst/credentials", "{\"token\": \n", 0600);
    expect_config_error(NULL, "JSON");
}

int main(void)
{
    check_suite = "spot";
    check_run("create answer with id", test_create_answer_with_id);
    check_run("list answer with accountId and numbers", test_list_answer_with_account_id);
    check_run("item without id", test_item_without_id);
    check_run("error with field", test_error_with_field);
    check_run("error without field", test_error_without_field);
    check_run("error with status only", test_error_status_only);
    check_run("non-JSON error body", test_non_json_error);
    check_run("empty bodies", test_empty_bodies);
    check_run("items missing", test_items_missing);
    check_run("non-JSON success", test_non_json_success);
    check_run("deeply nested answers", test_deep_answers);
    check_run("account name rule", test_account_name_rule);
    check_run("401/403 says the token was rejected", test_rejected_token);
    check_run("echoed token masked", test_echoed_token_masked);
    check_run("url builder", test_build_url);
    check_run("auth: nothing anywhere", test_nothing_anywhere);
    check_run("auth: token file", test_token_file);
    check_run("auth: token file problems", test_token_file_problems);
    check_run("auth: environment", test_env_token);
    check_run("auth: INI profiles", test_ini_default);
    check_run("auth: precedence", test_precedence);
    check_run("auth: YAML profiles", test_yaml_profiles);
    check_run("auth: YAML flat and JSON", test_yaml_flat_and_json);
    check_run("auth: missing profiles", test_profiles_missing);
    check_run("auth: named file", test_named_file);
    check_run("auth: malformed files", test_malformed_files);
    fx_cleanup();
    return check_exit();
}
