/* The AWS config and credentials files, read as botocore reads them. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/profile.h"
#include "aws_fixture.h"
#include "check.h"
#include "util/buf.h"
#include "util/path.h"
#include "util/strindex.h"

static profile_files *load_ok(void)
{
    profile_files *pf = NULL;
    sc_error err;
    error_clear(&err);
    if (profile_files_load(&pf, &err) != ST_OK) {
        fprintf(stderr, "  unexpected error: %s\n", err.message);
        check_case_failed = 1;
    }
    return pf;
}

static void test_missing_files(void)
{
    fx_reset();
    profile_files *pf = load_ok();
    if (!pf)
        return;
    CHECK_INT(profile_count(pf), 0);
    CHECK(!profile_exists(pf, "default"));
    CHECK(profile_get(pf, "default", "region") == NULL);
    CHECK_STR(profile_config_path(pf), "~/.aws/config");
    CHECK_STR(profile_credentials_path(pf), "~/.aws/credentials");
    profile_files_free(pf);
}

static void test_profiles_and_sections(void)
{
    fx_reset();
    fx_write(".aws/config",
             "[default]\n"
             "region = eu-west-1\n"
             "[profile dev]\n"
             "region = us-west-2\n"
             "[profile \"with space\"]\n"
             "output = text\n"
             "[profile]\n"
             "[profile a b]\n"
             "[sso-session corp]\n"
             "sso_region = us-east-1\n"
             "[services local]\n"
             "sts =\n"
             "  endpoint_url = http://localhost:5000\n"
             "[preview]\n"
             "x = 1\n",
             0600);
    fx_write(".aws/credentials",
             "[default]\n"
             "aws_access_key_id = AKIDDEFAULT\n"
             "region = ap-south-1\n"
             "[prod]\n"
             "aws_access_key_id = AKIDPROD\n"
             "[dev]\n"
             "aws_secret_access_key = s\n",
             0600);
    profile_files *pf = load_ok();
    if (!pf)
        return;
    CHECK_INT(profile_count(pf), 4);
    CHECK_STR(profile_name(pf, 0), "default");
    CHECK_STR(profile_name(pf, 1), "dev");
    CHECK_STR(profile_name(pf, 2), "with space");
    CHECK_STR(profile_name(pf, 3), "prod");
    CHECK(profile_name(pf, 4) == NULL);
    CHECK(!profile_exists(pf, "corp"));
    CHECK(!profile_exists(pf, "preview"));
    CHECK(!profile_exists(pf, "a b"));
    CHECK(profile_defined_in(pf, PROFILE_CREDENTIALS, "prod"));
    CHECK(!profile_defined_in(pf, PROFILE_CONFIG, "prod"));
    /* The credentials file wins key by key (botocore's full_config). */
    CHECK_STR(profile_get(pf, "default", "region"), "ap-south-1");
    CHECK_STR(profile_get_in(pf, PROFILE_CONFIG, "default", "region"), "eu-west-1");
    CHECK_STR(profile_get(pf, "dev", "region"), "us-west-2");
    CHECK_STR(profile_get(pf, "dev", "aws_secret_access_key"), "s");
    CHECK(profile_get_in(pf, PROFILE_CONFIG, "dev", "aws_secret_access_key") == NULL);
    CHECK_STR(profile_get(pf, "with space", "output"), "text");
    const char *path = NULL;
    int line = 0;
    CHECK_INT(profile_where(pf, "dev", "region", &path, &line), 0);
    CHECK_STR(path, "~/.aws/config");
    CHECK_INT(line, 4);
    char url[128];
    CHECK_INT(profile_services_get(pf, "local", "sts", "endpoint_url", url, sizeof url), 0);
    CHECK_STR(url, "http://localhost:5000");
    CHECK_INT(profile_services_get(pf, "local", "iam", "endpoint_url", url, sizeof url), -1);
    profile_files_free(pf);
}

static void test_default_twice(void)
{
    /* [default] and [profile default] are both "default": the later one
     * replaces the earlier one entirely, as build_profile_map does. */
    fx_reset();
    fx_write(
        ".aws/config",
        "[profile default]\nregion = us-east-2\noutput = json\n[default]\nregion = eu-north-1\n",
        0600);
    profile_files *pf = load_ok();
    if (!pf)
        return;
    CHECK_INT(profile_count(pf), 1);
    CHECK_STR(profile_get(pf, "default", "region"), "eu-north-1");
    CHECK(profile_get(pf, "default", "output") == NULL);
    profile_files_free(pf);
}

static void test_env_paths(void)
{
    fx_reset();
    fx_write("cfg/my-config", "[profile x]\nregion = sa-east-1\n", 0600);
    fx_write("cfg/my-creds", "[y]\naws_access_key_id = A\n", 0600);
    setenv("SC_TEST_CFGDIR", fx_path("cfg"), 1);
    setenv("AWS_CONFIG_FILE", "${SC_TEST_CFGDIR}/my-config", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "~/cfg/my-creds", 1);
    profile_files *pf = load_ok();
    if (!pf)
        return;
    CHECK_STR(profile_get(pf, "x", "region"), "sa-east-1");
    CHECK(profile_exists(pf, "y"));
    CHECK_STR(profile_config_path(pf), "${SC_TEST_CFGDIR}/my-config");
    profile_files_free(pf);
    unsetenv("SC_TEST_CFGDIR");
}

static void expect_load_error(const char *needle)
{
    profile_files *pf = NULL;
    sc_error err;
    error_clear(&err);
    CHECK_INT(profile_files_load(&pf, &err), ST_CONFIG);
    CHECK(pf == NULL);
    CHECK(fx_contains(err.message, needle));
    CHECK(strstr(err.message, "SECRET") == NULL);
}

static void test_bad_files(void)
{
    fx_reset();
    fx_write(".aws/credentials", "[default]\naws_secret_access_key = SECRET\nSECRET\n", 0600);
    expect_load_error("~/.aws/credentials: line 3: expected `key = value`");
    fx_write(".aws/credentials", "[a]\nk = 1\n[a]\n", 0600);
    expect_load_error("line 3: section [a] appears a second time");
    fx_write(".aws/credentials", "[a]\ns3 =\n  SECRET\n", 0600);
    expect_load_error("line 2: the indented block under `s3` has a line without `=`");
    fx_write(".aws/credentials", "", 0600);
    mkdir(fx_path(".aws/config"), 0700);
    expect_load_error("cannot read ~/.aws/config: it is a directory");
}

/* 40,000 profiles took 10 s: every new section was compared with all the
 * earlier ones. Counted in key comparisons, not timed: a few per lookup. */
static void test_many_profiles(void)
{
    fx_reset();
    enum { N = 40000 };
    buf_t cfg = BUF_INIT, crd = BUF_INIT;
    for (int i = 0; i < N; i++) {
        buf_printf(&cfg, "[profile p%d]\nregion = r%d\n", i, i);
        buf_printf(&crd, "[p%d]\naws_access_key_id = AKID%d\n", i, i);
    }
    fx_write(".aws/config", buf_str(&cfg), 0600);
    fx_write(".aws/credentials", buf_str(&crd), 0600);
    buf_free(&cfg);
    buf_free(&crd);
    size_t before = strindex_probes();
    clock_t start = clock();
    profile_files *pf = load_ok();
    if (!pf)
        return;
    CHECK_INT(profile_count(pf), N);
    char name[32], want[32];
    for (int i = 0; i < N; i += 7) {
        snprintf(name, sizeof name, "p%d", i);
        snprintf(want, sizeof want, "r%d", i);
        CHECK_STR(profile_get(pf, name, "region"), want);
    }
    CHECK(profile_get(pf, "p40000", "region") == NULL);
    profile_files_free(pf);
    size_t probes = strindex_probes() - before;
    double cpu = (double)(clock() - start) / CLOCKS_PER_SEC;
    /* Linear: a handful of comparisons per section and lookup (quadratic
     * would be N * N / 2 = 800 million). */
    if (probes > 20u * N) {
        fprintf(stderr, "  %zu key comparisons for %d profiles\n", probes, N);
        check_case_failed = 1;
    }
    /* Processor time, so a loaded machine does not matter; the old code
     * needed about 10 s. */
    if (cpu > 2.0) {
        fprintf(stderr, "  %.2f s of processor time for %d profiles\n", cpu, N);
        check_case_failed = 1;
    }
}

static void test_expand_path(void)
{
    setenv("HOME", "/home/tester/", 1);
    setenv("SC_TEST_V", "val", 1);
    char *p = path_expand("~/.aws/config");
    CHECK_STR(p, "/home/tester/.aws/config");
    free(p);
    p = path_expand("$SC_TEST_V/a/${SC_TEST_V}/$SC_TEST_UNSET/${}/$");
    CHECK_STR(p, "val/a/val/$SC_TEST_UNSET/${}/$");
    free(p);
    p = path_expand("~root/x");
    CHECK_STR(p, "/root/x");
    free(p);
    p = path_expand("~no-such-user-here/x");
    CHECK_STR(p, "~no-such-user-here/x");
    free(p);
    p = path_expand("a~/b");
    CHECK_STR(p, "a~/b");
    free(p);
    unsetenv("SC_TEST_V");
}

int main(void)
{
    check_suite = "profile";
    check_run("missing files are empty", test_missing_files);
    check_run("profiles, sections and the merge", test_profiles_and_sections);
    check_run("[default] and [profile default]", test_default_twice);
    check_run("AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE expansion", test_env_paths);
    check_run("malformed files name file and line", test_bad_files);
    check_run("~ and $VAR expansion", test_expand_path);
    check_run("40,000 profiles in linear time", test_many_profiles);
    fx_cleanup();
    return check_exit();
}
