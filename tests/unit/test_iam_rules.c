/* IAM's rules for names, paths, tags and boundaries (aws/iam_rules.h), and
 * the company rules kept in the state file (old files still load). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/iam_rules.h"
#include "check.h"
#include "engine/state.h"
#include "wizard/rules.h"

static sc_error err;

static int ok(status_t st)
{
    return st == ST_OK;
}

/* Refused with ST_BAD_INPUT and a message naming the rule. */
static int refused(status_t st, const char *rule)
{
    if (st != ST_BAD_INPUT || !strstr(err.message, rule)) {
        fprintf(stderr, "    status %d, message: %s\n", (int)st, err.message);
        return 0;
    }
    return 1;
}

static char *repeat(char c, size_t n)
{
    char *s = malloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_names(void)
{
    CHECK(ok(iam_rules_role_name("Spot-Role", &err)));
    CHECK(ok(iam_rules_role_name("a+b=c,d.e@f_g-h", &err)));
    char *r64 = repeat('r', 64), *r65 = repeat('r', 65);
    CHECK(ok(iam_rules_role_name(r64, &err)));
    CHECK(refused(iam_rules_role_name(r65, &err), "1 to 64"));
    CHECK(refused(iam_rules_role_name("", &err), "1 to 64"));
    CHECK(refused(iam_rules_role_name("Spot Role", &err), "letters, digits and +=,.@_-"));
    CHECK(refused(iam_rules_role_name("Spot/Role", &err), "letters, digits and +=,.@_-"));
    CHECK(refused(iam_rules_role_name("R\xc3\xa9le", &err), "letters, digits and +=,.@_-"));
    char *p128 = repeat('p', 128), *p129 = repeat('p', 129);
    CHECK(ok(iam_rules_policy_name(p128, &err)));
    CHECK(refused(iam_rules_policy_name(p129, &err), "1 to 128"));
    free(r64);
    free(r65);
    free(p128);
    free(p129);
}

static void test_paths(void)
{
    CHECK(ok(iam_rules_path("/", &err)));
    CHECK(ok(iam_rules_path("/spot/team-a/", &err)));
    CHECK(ok(iam_rules_path("/!~/", &err)));
    CHECK(refused(iam_rules_path("", &err), "1 to 512"));
    CHECK(refused(iam_rules_path("spot/", &err), "starts and ends with '/'"));
    CHECK(refused(iam_rules_path("/spot", &err), "starts and ends with '/'"));
    CHECK(refused(iam_rules_path("/a b/", &err), "0x21-0x7E"));
    CHECK(refused(iam_rules_path("/a\tb/", &err), "0x21-0x7E"));
    CHECK(refused(iam_rules_path("/\xc3\xa9/", &err), "0x21-0x7E"));
    char *p = repeat('a', 512);
    p[0] = p[511] = '/';
    CHECK(ok(iam_rules_path(p, &err)));
    free(p);
    p = repeat('a', 513);
    p[0] = p[512] = '/';
    CHECK(refused(iam_rules_path(p, &err), "1 to 512"));
    free(p);
}

static void test_tags(void)
{
    CHECK(ok(iam_rules_tag("Team", "ops", &err)));
    CHECK(ok(iam_rules_tag("cost center", "", &err)));
    CHECK(ok(iam_rules_tag("a_.:/=+-@", "x_.:/=+-@ 1", &err)));
    CHECK(ok(iam_rules_tag("Besitzer", "M\xc3\xbcller", &err))); /* letters of any script */
    CHECK(refused(iam_rules_tag("", "v", &err), "1 to 128"));
    CHECK(refused(iam_rules_tag("aws:team", "v", &err), "reserved for AWS"));
    CHECK(refused(iam_rules_tag("AWS:team", "v", &err), "reserved for AWS"));
    CHECK(ok(iam_rules_tag("team", "aws:x", &err)));
    CHECK(refused(iam_rules_tag("team!", "v", &err), "letters, digits, spaces and _.:/=+-@"));
    CHECK(refused(iam_rules_tag("team", "a,b", &err), "letters, digits, spaces and _.:/=+-@"));
    CHECK(refused(iam_rules_tag("team", "a\nb", &err), "letters, digits, spaces and _.:/=+-@"));
    CHECK(refused(iam_rules_tag("team", "\xc2\x85", &err), "letters, digits")); /* C1 control */
    CHECK(refused(iam_rules_tag("team", "\xff", &err), "letters, digits"));     /* not UTF-8 */
    char *k128 = repeat('k', 128), *k129 = repeat('k', 129);
    char *v256 = repeat('v', 256), *v257 = repeat('v', 257);
    CHECK(ok(iam_rules_tag(k128, v256, &err)));
    CHECK(refused(iam_rules_tag(k129, "v", &err), "1 to 128"));
    CHECK(refused(iam_rules_tag("k", v257, &err), "0 to 256"));
    /* Characters, not bytes: 128 two-byte letters are a valid key. */
    char key[257];
    for (int i = 0; i < 128; i++)
        memcpy(key + 2 * i, "\xc3\xa9", 2);
    key[256] = '\0';
    CHECK(ok(iam_rules_tag(key, "v", &err)));
    free(k128);
    free(k129);
    free(v256);
    free(v257);
}

static void test_tag_sets(void)
{
    iam_tag tags[51];
    char keys[51][8];
    for (int i = 0; i < 51; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        tags[i] = (iam_tag){.key = keys[i], .value = "v"};
    }
    CHECK(ok(iam_rules_tags(tags, 0, &err)));
    CHECK(ok(iam_rules_tags(tags, 50, &err)));
    CHECK(refused(iam_rules_tags(tags, 51, &err), "at most 50"));
    char team[] = "Team", lower[] = "team", a[] = "a", b[] = "b";
    iam_tag dup[] = {{.key = team, .value = a}, {.key = lower, .value = b}};
    CHECK(refused(iam_rules_tags(dup, 2, &err), "given twice"));
    char bad[] = "aws:x";
    iam_tag reserved[] = {{.key = team, .value = a}, {.key = bad, .value = b}};
    CHECK(refused(iam_rules_tags(reserved, 2, &err), "reserved for AWS"));
}

static void test_boundaries(void)
{
    CHECK(ok(iam_rules_boundary("arn:aws:iam::123456789012:policy/Boundary", "aws", &err)));
    CHECK(ok(iam_rules_boundary("arn:aws:iam::123456789012:policy/corp/Boundary", NULL, &err)));
    CHECK(ok(iam_rules_boundary("arn:aws:iam::aws:policy/PowerUserAccess", "aws", &err)));
    CHECK(ok(iam_rules_boundary("arn:aws-cn:iam::123456789012:policy/B", "aws-cn", &err)));
    CHECK(refused(iam_rules_boundary("arn:aws-cn:iam::123456789012:policy/B", "aws", &err),
                  "partition aws-cn"));
    CHECK(refused(iam_rules_boundary("arn:aws-us-gov:iam::123456789012:policy/B", "aws", &err),
                  "partition aws-us-gov"));
    const char *bad[] = {
        "Boundary",
        "",
        "arn:aws:iam::123456789012:role/Admin",
        "arn:aws:iam::12345:policy/B",
        "arn:aws:s3:::bucket",
        "arn:aws:iam::123456789012:policy/",
        "arn:aws:iam::123456789012:policy/a b",
        "arn:aws:iam::123456789012:policy/ x/B",
        "arn:other:iam::123456789012:policy/B",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK(refused(iam_rules_boundary(bad[i], "aws", &err), "managed policy's ARN"));
    CHECK(refused(iam_rules_boundary(NULL, "aws", &err), "managed policy's ARN"));
}

static void test_parse_tag(void)
{
    iam_tag t;
    REQUIRE(ok(iam_rules_parse_tag("Team=ops=1", &t, &err)));
    CHECK_STR(t.key, "Team");
    CHECK_STR(t.value, "ops=1"); /* the first '=' splits */
    free(t.key);
    REQUIRE(ok(iam_rules_parse_tag("Empty=", &t, &err)));
    CHECK_STR(t.key, "Empty");
    CHECK_STR(t.value, "");
    free(t.key);
    CHECK(refused(iam_rules_parse_tag("Team", &t, &err), "KEY=VALUE"));
}

/* The wizard's Options form: checked when saved, handed to the engine. */
static void test_wizard_rules(void)
{
    static wizard w; /* large */
    wiz_init(&w);
    char why[600];
    CHECK(wiz_rules_set(&w, "", "", "", "spot", "", why, sizeof why) == -1);
    CHECK(strstr(why, "IAM path: an IAM path starts and ends with '/'") != NULL);
    CHECK(wiz_rules_set(&w, "", "", "", "", "Team", why, sizeof why) == -1);
    CHECK(strstr(why, "Tags: each tag is KEY=VALUE") != NULL);
    CHECK(wiz_rules_set(&w, "", "", "", "", "aws:x=1", why, sizeof why) == -1);
    CHECK(strstr(why, "Tags: tag key 'aws:x'") != NULL);
    CHECK(wiz_rules_set(&w, "Bad Role", "", "", "", "", why, sizeof why) == -1);
    CHECK(strstr(why, "Role name: ") == why);
    CHECK(wiz_rules_set(&w, "", "", "arn:aws-cn:iam::123456789012:policy/B", "", "", why,
                        sizeof why) == -1);
    CHECK(strstr(why, "Permissions boundary: ") == why && strstr(why, "partition aws-cn"));
    CHECK_STR(w.iam_path, ""); /* a refusal changes nothing */
    CHECK(wiz_rules_set(&w, "R1", "P1", "arn:aws:iam::123456789012:policy/B", "/wiz/",
                        " Team=ops ,Env=dev team,, Owner=", why, sizeof why) == 0);
    CHECK_STR(w.tags, "Team=ops,Env=dev team,Owner=");
    const char *bundles[WIZ_MAX_BUNDLES];
    connect_options o;
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    iam_tag tags[IAM_RULES_MAX_TAGS];
    char store[WIZ_RULES_TAGS_LEN];
    wiz_rules_options(&w, &o, tags, IAM_RULES_MAX_TAGS, store, sizeof store);
    CHECK_STR(o.role_name, "R1");
    CHECK_STR(o.policy_name, "P1");
    CHECK_STR(o.permissions_boundary, "arn:aws:iam::123456789012:policy/B");
    CHECK_STR(o.iam_path, "/wiz/");
    REQUIRE(o.ntags == 3);
    CHECK_STR(o.tags[1].key, "Env");
    CHECK_STR(o.tags[1].value, "dev team");
    CHECK_STR(o.tags[2].value, "");
    /* The manual path: the operator's role and policy, no rules passed on. */
    w.method = CONNECT_MANUAL;
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    wiz_rules_options(&w, &o, tags, IAM_RULES_MAX_TAGS, store, sizeof store);
    CHECK(o.permissions_boundary == NULL && o.iam_path == NULL && o.ntags == 0);
    w.method = CONNECT_AUTOMATIC;
    /* Emptied again: the defaults. */
    CHECK(wiz_rules_set(&w, "", "", "", "", "", why, sizeof why) == 0);
    wiz_connect_options(&w, &o, bundles, WIZ_MAX_BUNDLES);
    wiz_rules_options(&w, &o, tags, IAM_RULES_MAX_TAGS, store, sizeof store);
    CHECK_STR(o.role_name, CONNECT_DEFAULT_ROLE);
    CHECK(o.permissions_boundary == NULL && o.iam_path == NULL && o.ntags == 0);
}

/* A resumed wizard goes on with the rules the saved run applied. */
static void test_wizard_resume_rules(void)
{
    static wizard w;
    wiz_init(&w);
    wiz_saved s = {.method = "automatic",
                   .step = STEP_POLICY,
                   .role_name = "R2",
                   .policy_name = "P2",
                   .boundary = "arn:aws:iam::123456789012:policy/B",
                   .iam_path = "/x/",
                   .tags = "Team=ops"};
    wiz_apply_saved(&w, &s);
    CHECK_STR(w.role_name, "R2");
    CHECK_STR(w.policy_name, "P2");
    CHECK_STR(w.boundary, "arn:aws:iam::123456789012:policy/B");
    CHECK_STR(w.iam_path, "/x/");
    CHECK_STR(w.tags, "Team=ops");
    char text[100];
    char k[] = "a", v[] = "b c", k2[] = "d", v2[] = "";
    iam_tag tags[] = {{.key = k, .value = v}, {.key = k2, .value = v2}};
    wiz_rules_tags_text(tags, 2, text, sizeof text);
    CHECK_STR(text, "a=b c,d=");
}

static char tmpdir[64];

static void test_state_round_trip(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state/rules.json", tmpdir);
    conn_state st = {0};
    st.path = strdup(path);
    state_set(&st.iam_path, "/spot/");
    state_set(&st.boundary, "arn:aws:iam::123456789012:policy/B");
    char k1[] = "Team", v1[] = "ops", k2[] = "Empty", v2[] = "";
    iam_tag tags[] = {{.key = k1, .value = v1}, {.key = k2, .value = v2}};
    state_set_tags(&st, tags, 2);
    state_set_tags(&st, st.tags, st.ntags); /* from its own list */
    REQUIRE(ok(state_save(&st, &err)));
    state_free(&st);
    REQUIRE(ok(state_load(path, &st, &err)));
    CHECK_STR(st.iam_path, "/spot/");
    CHECK_STR(st.boundary, "arn:aws:iam::123456789012:policy/B");
    REQUIRE(st.ntags == 2);
    CHECK_STR(st.tags[0].key, "Team");
    CHECK_STR(st.tags[0].value, "ops");
    CHECK_STR(st.tags[1].key, "Empty");
    CHECK_STR(st.tags[1].value, "");
    state_free(&st);
}

/* A file written before the rules were kept: loads with none of them. */
static void test_state_old_file(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/state/old.json", tmpdir);
    mkdir(tmpdir, 0700);
    FILE *f = fopen(path, "w");
    REQUIRE(f);
    fputs("{\"version\":1,\"method\":\"automatic\",\"partition\":\"aws\",\"awsAccountId\":"
          "\"123456789012\",\"externalId\":\"spotinst:aws:extid:abc\",\"step\":\"verified\","
          "\"connected\":true,\"policy\":{\"name\":\"Spot-Policy\",\"arn\":\"arn:aws:iam::"
          "123456789012:policy/Spot-Policy\",\"created\":true,\"pending\":false,"
          "\"versionsAdded\":[]},\"role\":{\"name\":\"Spot-Role\",\"created\":true}}\n",
          f);
    fclose(f);
    conn_state st;
    REQUIRE(ok(state_load(path, &st, &err)));
    CHECK(st.iam_path == NULL);
    CHECK(st.boundary == NULL);
    CHECK_INT(st.ntags, 0);
    CHECK_STR(st.external_id, "spotinst:aws:extid:abc");
    CHECK_INT(st.step, STEP_VERIFIED);
    state_free(&st);
}

int main(void)
{
    check_suite = "iam_rules";
    snprintf(tmpdir, sizeof tmpdir, "/tmp/sc-iam-rules-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    check_run("role and policy names", test_names);
    check_run("IAM paths", test_paths);
    check_run("tag keys and values", test_tags);
    check_run("tag sets: 50 at most, no key twice", test_tag_sets);
    check_run("permissions boundaries: form and partition", test_boundaries);
    check_run("KEY=VALUE", test_parse_tag);
    check_run("wizard Options form: checked, then handed to the engine", test_wizard_rules);
    check_run("wizard resume restores the rules", test_wizard_resume_rules);
    check_run("state keeps path, boundary and tags", test_state_round_trip);
    check_run("an older state file loads without rules", test_state_old_file);
    char path[160];
    snprintf(path, sizeof path, "%s/state/rules.json", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/state/old.json", tmpdir);
    unlink(path);
    snprintf(path, sizeof path, "%s/state", tmpdir);
    rmdir(path);
    rmdir(tmpdir);
    return check_exit();
}
