/* The IAM permission policy (bundles, partitions, size, validation) and the
 * role's trust policy. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "doc/assets.h"
#include "doc/policy.h"
#include "doc/trust.h"
#include "util/buf.h"
#include "util/json.h"

static const char *const reference_bundles[] = {
    "OpsWorks",
    "OverviewDashboard",
    "OceanEks",
    "OceanAndElastigroupBasicActions",
    "ElastigroupRoute53",
    "ElastigroupBatch",
    "ElastigroupStateful",
    "ElastigroupBeanstalk",
    "ElastigroupEmr",
    "SpotStorage",
    "AccountOperativeActions",
    "OceanEcs",
    "ElastigroupCodeDeploy",
    "AccesS3forElasticBeanstalk",
};

static char tmpdir[64];

/* Writes text to a fresh file under tmpdir; returns its path (static). */
static const char *write_tmp(const char *name, const char *text)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        check_case_failed = 1;
        return path;
    }
    fputs(text, f);
    fclose(f);
    return path;
}

static void remove_tmp(void)
{
    static const char *const names[] = {"bad.json", "arn.json", "max.json", "pretty.json",
                                        "one.json"};
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, names[i]);
        unlink(path);
    }
    rmdir(tmpdir);
}

static status_t build(const char *partition, const char *const *bundles, size_t n, const char *file,
                      char **json, sc_error *err)
{
    policy_options o = {partition, bundles, n, file};
    error_clear(err);
    return policy_build(&o, json, err);
}

/* Builds from a policy file expected to be refused; returns the message. */
static const char *refused_file(const char *text)
{
    static sc_error err;
    char *json = NULL;
    CHECK_INT(build(NULL, NULL, 0, write_tmp("bad.json", text), &json, &err), ST_BAD_INPUT);
    CHECK(json == NULL);
    free(json);
    return err.message;
}

static int contains(const char *hay, const char *needle)
{
    if (hay && strstr(hay, needle))
        return 1;
    fprintf(stderr, "  [%s] does not contain [%s]\n", hay ? hay : "(null)", needle);
    return 0;
}

static size_t statement_count(const char *json)
{
    char eb[64];
    yajl_val v = yajl_tree_parse(json, eb, sizeof eb);
    const char *path[] = {"Statement", NULL};
    yajl_val st = yajl_tree_get(v, path, yajl_t_array);
    size_t n = st ? st->u.array.len : 0;
    yajl_tree_free(v);
    return n;
}

static void test_bundles(void)
{
    size_t n = sizeof reference_bundles / sizeof reference_bundles[0];
    CHECK_INT(policy_bundle_count(), 14);
    CHECK_INT(n, 14);
    for (size_t i = 0; i < n; i++)
        CHECK_STR(policy_bundle_name(i), reference_bundles[i]);
    CHECK(policy_bundle_name(14) == NULL);
}

static void test_default_policy(void)
{
    CHECK_INT(strlen(asset_spot_policy_json), asset_spot_policy_json_len);
    sc_error err;
    char *json = NULL;
    CHECK_INT(policy_build(NULL, &json, &err), ST_OK);
    CHECK_INT(strlen(json), 6097); /* the figure spot-api.md gives */
    CHECK_INT(policy_size(json), 6097);
    CHECK_INT(policy_size(asset_spot_policy_json), 6097);
    CHECK(policy_equal(json, asset_spot_policy_json));
    CHECK_INT(statement_count(json), 14);
    CHECK(strchr(json, '\n') == NULL);
    char *pretty = policy_pretty(json);
    CHECK(policy_equal(pretty, json));
    CHECK(strncmp(pretty, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n", 46) == 0);
    CHECK_INT(policy_size(pretty), 6097);
    free(pretty);
    free(json);
}

static void test_bundle_selection(void)
{
    const char *pick[] = {"SpotStorage", "OpsWorks"};
    sc_error err;
    char *json = NULL;
    CHECK_INT(build("aws", pick, 2, NULL, &json, &err), ST_OK);
    CHECK_INT(statement_count(json), 2);
    /* The policy's order, not the order asked for. */
    const char *ops = strstr(json, "\"Sid\":\"OpsWorks\"");
    const char *storage = strstr(json, "\"Sid\":\"SpotStorage\"");
    CHECK(ops && storage && ops < storage);
    CHECK(strstr(json, "OceanEks") == NULL);
    free(json);
    CHECK_INT(build(NULL, reference_bundles, 14, NULL, &json, &err), ST_OK);
    CHECK(policy_equal(json, asset_spot_policy_json));
    free(json);
}

static void test_unknown_bundle(void)
{
    const char *pick[] = {"OpsWorks", "Nope"};
    sc_error err;
    char *json = NULL;
    CHECK_INT(build(NULL, pick, 2, NULL, &json, &err), ST_BAD_INPUT);
    CHECK(json == NULL);
    CHECK(contains(err.message, "unknown bundle 'Nope'"));
    CHECK(contains(err.message, "OpsWorks, OverviewDashboard, OceanEks"));
    CHECK(contains(err.message, "AccesS3forElasticBeanstalk"));
    CHECK(strchr(err.message, '\n') == NULL);
    CHECK_INT(build(NULL, pick, 0, NULL, &json, &err), ST_BAD_INPUT);
    CHECK_INT(build("aws-eu", NULL, 0, NULL, &json, &err), ST_BAD_INPUT);
    CHECK(contains(err.message, "unknown partition 'aws-eu'"));
}

static void test_gov_cn_refuse_bundles(void)
{
    const char *pick[] = {"OpsWorks"};
    const char *parts[] = {"aws-us-gov", "aws-cn"};
    for (int i = 0; i < 2; i++) {
        sc_error err;
        char *json = NULL;
        CHECK_INT(build(parts[i], pick, 1, NULL, &json, &err), ST_BAD_INPUT);
        CHECK_STR(err.message,
                  "the policy cannot be customised in aws-us-gov/aws-cn (full policy only)");
        CHECK(json == NULL);
    }
}

static void test_bundles_not_with_file(void)
{
    const char *pick[] = {"OpsWorks"};
    sc_error err;
    char *json = NULL;
    CHECK_INT(build(NULL, pick, 1, "/nonexistent.json", &json, &err), ST_BAD_INPUT);
    CHECK(contains(err.message, "policy file"));
}

static void check_partition(const char *partition, const char *beanstalk_arn)
{
    sc_error err;
    char *json = NULL;
    CHECK_INT(build(partition, NULL, 0, NULL, &json, &err), ST_OK);
    CHECK(json && strstr(json, "arn:aws:") == NULL);
    CHECK(contains(json, beanstalk_arn));
    CHECK_INT(statement_count(json), 14);
    free(json);
}

static void test_partition_rewrite(void)
{
    check_partition("aws-cn", "\"arn:aws-cn:s3:::elasticbeanstalk*\"");
    check_partition("aws-us-gov", "\"arn:aws-us-gov:s3:::elasticbeanstalk*\"");
    /* Keys stay; only values that start with the prefix change. */
    const char *doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                      "\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::b/*\","
                      "\"x-arn:aws:y\"],\"Condition\":{\"StringEquals\":{\"arn:aws:k\":"
                      "\"arn:aws:iam::123456789012:root\"}}}]}";
    sc_error err;
    char *json = NULL;
    CHECK_INT(build("aws-cn", NULL, 0, write_tmp("arn.json", doc), &json, &err), ST_OK);
    CHECK_STR(json, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws-cn:s3:::b/*\","
                    "\"x-arn:aws:y\"],\"Condition\":{\"StringEquals\":{\"arn:aws:k\":"
                    "\"arn:aws-cn:iam::123456789012:root\"}}}]}");
    free(json);
    CHECK_INT(build("aws", NULL, 0, write_tmp("arn.json", doc), &json, &err), ST_OK);
    CHECK_STR(json, doc);
    free(json);
}

/* A compact policy of exactly `size` characters. */
static char *policy_of_size(size_t size)
{
    static const char head[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"";
    static const char tail[] = "\",\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
                               "\"Resource\":\"*\"}]}";
    buf_t b = BUF_INIT;
    buf_puts(&b, head);
    for (size_t i = strlen(head) + strlen(tail); i < size; i++)
        buf_putc(&b, 'A');
    buf_puts(&b, tail);
    return buf_steal(&b);
}

static void test_size_limit(void)
{
    sc_error err;
    char *json = NULL;
    char *text = policy_of_size(POLICY_MAX_CHARS);
    CHECK_INT(build(NULL, NULL, 0, write_tmp("max.json", text), &json, &err), ST_OK);
    CHECK_INT(policy_size(json), POLICY_MAX_CHARS);
    free(json);
    free(text);
    text = policy_of_size(POLICY_MAX_CHARS + 1);
    const char *msg = refused_file(text);
    CHECK(contains(msg, "6145 characters"));
    CHECK(contains(msg, "6144"));
    CHECK(contains(msg, "bad.json"));
    free(text);
}

/* Whitespace between tokens does not count: a pretty 6144 still fits. */
static void test_size_ignores_whitespace(void)
{
    char *text = policy_of_size(POLICY_MAX_CHARS);
    char *pretty = policy_pretty(text);
    CHECK(strlen(pretty) > POLICY_MAX_CHARS);
    sc_error err;
    char *json = NULL;
    CHECK_INT(build(NULL, NULL, 0, write_tmp("pretty.json", pretty), &json, &err), ST_OK);
    CHECK_STR(json, text);
    free(json);
    free(pretty);
    free(text);
}

static void test_huge_file(void)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"");
    for (int i = 0; i < 140000; i++)
        buf_putc(&b, 'A');
    buf_puts(&b, "\"}]}");
    const char *msg = refused_file(buf_str(&b));
    CHECK(contains(msg, "larger than 131072 bytes"));
    buf_free(&b);
}

static void test_policy_size(void)
{
    CHECK_INT(policy_size("{ \"a\" : [ 1 ,\n\t2 ] }"), 11);
    CHECK_INT(policy_size("{\"a b\":\"c d\"}"), 13); /* spaces inside strings count */
    CHECK_INT(policy_size("\"a\\\" b\""), 7);        /* an escaped quote stays inside */
    CHECK_INT(policy_size("\"\xc3\xa9\""), 3);       /* UTF-8: one character */
    CHECK_INT(policy_size(""), 0);
}

static void test_malformed_files(void)
{
    CHECK(contains(refused_file("{\n\"Version\": \"2012-10-17\",\n\"Statement\": [\n  {]\n}"),
                   "not JSON at line 4"));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\"\n\n"), "not JSON at line 3"));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\",\"Statement\":[{}]} x"),
                   "not JSON at line 1"));
    CHECK(contains(refused_file(""), "empty"));
    CHECK(contains(refused_file("  \n"), "empty"));
    CHECK(contains(refused_file("[1]"), "not a JSON object"));
    CHECK(contains(refused_file("{\"Statement\":[{}]}"), "no \"Version\""));
    CHECK(contains(refused_file("{\"Version\":\"2020-01-01\",\"Statement\":[{}]}"),
                   "\"Version\" must be \"2012-10-17\""));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\"}"), "no \"Statement\""));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\",\"Statement\":[]}"),
                   "\"Statement\" is empty"));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\",\"Statement\":\"x\"}"),
                   "\"Statement\" is not a list"));
    CHECK(contains(refused_file("{\"Version\":\"2012-10-17\",\"Statement\":[{},2]}"),
                   "statement 2 is not an object"));
    const char *msg = refused_file("{\"Version\":\"2012-10-17\",\"Statement\":[{}]}\n\n]");
    CHECK(contains(msg, "policy file '"));
    CHECK(contains(msg, "not JSON at line 3"));
    CHECK(strchr(msg, '\n') == NULL);
}

static void test_deep_and_odd_files(void)
{
    buf_t b = BUF_INIT;
    buf_puts(&b, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":");
    for (int i = 0; i < 5000; i++)
        buf_putc(&b, '[');
    CHECK(contains(refused_file(buf_str(&b)), "nested more than"));
    buf_free(&b);
    /* One statement without a list is valid IAM and accepted. */
    const char *single =
        "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\"}}";
    sc_error err;
    char *json = NULL;
    CHECK_INT(build(NULL, NULL, 0, write_tmp("one.json", single), &json, &err), ST_OK);
    CHECK_STR(json, single);
    free(json);
    CHECK_INT(build(NULL, NULL, 0, "/nonexistent/p.json", &json, &err), ST_IO);
    CHECK(contains(err.message, "/nonexistent/p.json"));
    CHECK_INT(build(NULL, NULL, 0, tmpdir, &json, &err), ST_IO);
}

static void test_policy_equal(void)
{
    CHECK(policy_equal("{\"a\":1,\"b\":[1,2]}", "{ \"b\" : [1, 2], \"a\" : 1 }"));
    CHECK(!policy_equal("{\"a\":1,\"b\":[1,2]}", "{\"a\":1,\"b\":[2,1]}"));
    CHECK(policy_equal("{\"a\":{\"x\":true,\"y\":null}}", "{\"a\":{\"y\":null,\"x\":true}}"));
    CHECK(!policy_equal("{\"a\":1}", "{\"a\":1,\"b\":2}"));
    CHECK(!policy_equal("{\"a\":1,\"b\":2}", "{\"a\":1}"));
    CHECK(!policy_equal("{\"a\":1}", "{\"b\":1}"));
    CHECK(!policy_equal("{\"a\":\"1\"}", "{\"a\":1}"));
    CHECK(!policy_equal("{\"a\":true}", "{\"a\":false}"));
    CHECK(policy_equal("[1.0]", "[1]"));
    CHECK(!policy_equal("[\"a\"]", "[\"a\",\"a\"]"));
    CHECK(!policy_equal("{\"a\":1", "{\"a\":1}"));
    CHECK(!policy_equal(NULL, "{}"));
    CHECK(policy_equal("\"x\"", "\"x\""));
}

static void test_trust_exact(void)
{
    char account[13];
    sc_error err;
    error_clear(&err);
    CHECK_INT(trust_principal("aws", NULL, account, &err), ST_OK);
    CHECK_STR(account, "922761411349");
    CHECK_INT(trust_principal(NULL, NULL, account, &err), ST_OK);
    CHECK_STR(account, "922761411349");
    char *json = NULL;
    CHECK_INT(trust_policy_build("aws", account, "ext-Id_1+=,.@:/", &json, &err), ST_OK);
    CHECK_STR(json, "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                    "\"Principal\":{\"AWS\":\"arn:aws:iam::922761411349:root\"},"
                    "\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":"
                    "{\"sts:ExternalId\":\"ext-Id_1+=,.@:/\"}}}]}");
    free(json);
}

static void test_trust_gov_cn(void)
{
    const char *parts[] = {"aws-us-gov", "aws-cn"};
    for (int i = 0; i < 2; i++) {
        char account[13];
        sc_error err;
        error_clear(&err);
        CHECK_INT(trust_principal(parts[i], NULL, account, &err), ST_BAD_INPUT);
        CHECK(contains(err.message, "--spot-principal"));
        CHECK_INT(trust_principal(parts[i], "123456789012", account, &err), ST_OK);
        CHECK_STR(account, "123456789012");
    }
    char *json = NULL;
    sc_error err;
    CHECK_INT(trust_policy_build("aws-us-gov", "123456789012", "abc", &json, &err), ST_OK);
    CHECK(contains(json, "\"arn:aws-us-gov:iam::123456789012:root\""));
    free(json);
    CHECK_INT(trust_policy_build("aws-cn", "123456789012", "abc", &json, &err), ST_OK);
    CHECK(contains(json, "\"arn:aws-cn:iam::123456789012:root\""));
    free(json);
    char account[13];
    CHECK_INT(trust_principal("aws-xx", NULL, account, &err), ST_BAD_INPUT);
}

static void test_trust_principal_digits(void)
{
    const char *bad[] = {"12345", "12345678901a", "1234567890123", "", "12345678901 "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char account[13];
        sc_error err;
        error_clear(&err);
        CHECK_INT(trust_principal("aws", bad[i], account, &err), ST_BAD_INPUT);
        CHECK(contains(err.message, "12-digit"));
        char *json = NULL;
        CHECK_INT(trust_policy_build("aws", bad[i], "abc", &json, &err), ST_BAD_INPUT);
        CHECK(json == NULL);
    }
}

static status_t build_trust(const char *id, sc_error *err)
{
    char *json = NULL;
    error_clear(err);
    status_t st = trust_policy_build("aws", "922761411349", id, &json, err);
    free(json);
    return st;
}

static void test_external_id_rules(void)
{
    sc_error err;
    CHECK_INT(build_trust("a", &err), ST_BAD_INPUT);
    CHECK(contains(err.message, "2 to 1224 characters"));
    CHECK_INT(build_trust("", &err), ST_BAD_INPUT);
    CHECK_INT(build_trust(NULL, &err), ST_BAD_INPUT);
    CHECK_INT(build_trust("ab", &err), ST_OK);
    char id[1226];
    memset(id, 'x', 1225);
    id[1225] = '\0';
    CHECK_INT(build_trust(id, &err), ST_BAD_INPUT);
    CHECK(contains(err.message, "it has 1225"));
    id[1224] = '\0';
    CHECK_INT(build_trust(id, &err), ST_OK);
    CHECK_INT(build_trust("has space", &err), ST_BAD_INPUT);
    CHECK(contains(err.message, "position 4"));
    CHECK_INT(build_trust("quote\"d", &err), ST_BAD_INPUT);
    CHECK_INT(build_trust("semi;colon", &err), ST_BAD_INPUT);
    CHECK_INT(build_trust("aZ09_+=,.@:/-", &err), ST_OK);
}

static void test_external_id_round_trip(void)
{
    char *json = NULL;
    sc_error err;
    CHECK_INT(trust_policy_build("aws", "922761411349", "my-external:id/1", &json, &err), ST_OK);
    char *id = trust_policy_external_id(json);
    CHECK_STR(id, "my-external:id/1");
    free(id);
    char *pretty = policy_pretty(json);
    id = trust_policy_external_id(pretty);
    CHECK_STR(id, "my-external:id/1");
    free(id);
    free(pretty);
    free(json);
    id = trust_policy_external_id("{\"Statement\":{\"Condition\":{\"StringEquals\":"
                                  "{\"sts:externalid\":[\"one\"]}}}}");
    CHECK_STR(id, "one");
    free(id);
    CHECK(trust_policy_external_id("{\"Statement\":[{\"Condition\":{\"StringEquals\":"
                                   "{\"sts:ExternalId\":[\"a\",\"b\"]}}}]}") == NULL);
    CHECK(trust_policy_external_id("{\"Statement\":[{\"Effect\":\"Allow\"}]}") == NULL);
    CHECK(trust_policy_external_id("not json") == NULL);
    CHECK(trust_policy_external_id(NULL) == NULL);
}

static void test_json_check_text(void)
{
    char *why = json_check_text("{\"a\":[1,2]}", 11, 2);
    CHECK(why == NULL);
    why = json_check_text("{\"a\":[[1]]}", 11, 2);
    CHECK(contains(why, "line 1: nested more than 2 levels deep"));
    free(why);
    why = json_check_text("{\n\"a\":\n x}", 10, 8);
    CHECK(contains(why, "line 3: invalid"));
    free(why);
    why = json_check_text("{\"a\":1}\0junk", 12, 8); /* a NUL is not JSON */
    CHECK(why != NULL);
    free(why);
}

int main(void)
{
    check_suite = "policy";
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sc-policy-test-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    check_run("14 bundles named as in the reference", test_bundles);
    check_run("default policy: 6097 characters, same JSON as the asset", test_default_policy);
    check_run("bundle selection keeps the policy's order", test_bundle_selection);
    check_run("unknown bundle lists the valid names", test_unknown_bundle);
    check_run("aws-us-gov/aws-cn refuse bundles", test_gov_cn_refuse_bundles);
    check_run("bundles do not apply to a policy file", test_bundles_not_with_file);
    check_run("partition rewriting of values, not keys", test_partition_rewrite);
    check_run("size limit 6144 (6145 refused, size named)", test_size_limit);
    check_run("size ignores whitespace between tokens", test_size_ignores_whitespace);
    check_run("policy file over 131072 bytes", test_huge_file);
    check_run("policy_size counts", test_policy_size);
    check_run("malformed policy files: one-line reasons", test_malformed_files);
    check_run("deep nesting, single statement, unreadable files", test_deep_and_odd_files);
    check_run("policy_equal", test_policy_equal);
    check_run("trust policy for aws, exact text", test_trust_exact);
    check_run("trust policy aws-us-gov/aws-cn need --spot-principal", test_trust_gov_cn);
    check_run("trust principal must be 12 digits", test_trust_principal_digits);
    check_run("External ID rules", test_external_id_rules);
    check_run("trust_policy_external_id round trip", test_external_id_round_trip);
    check_run("json_check_text", test_json_check_text);
    remove_tmp();
    return check_exit();
}
