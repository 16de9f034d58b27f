/* The answers kept between the engine's steps: what a run wrote is what a
 * later read gets, with no call (the client is NULL here: a read that went
 * to IAM would fail), and another login's store starts empty. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "engine/answers.h"

#define ROLE "Spot-Role"
#define POLICY "arn:aws:iam::123456789012:policy/Spot-Policy"
#define TRUST "{\"Statement\":[]}"

static void made_role(answers *a)
{
    iam_role r = {.name = "Spot-Role", .arn = "arn:aws:iam::123456789012:role/Spot-Role",
                  .path = "/"};
    answers_role_made(a, ROLE, &r, TRUST, "arn:aws:iam::123456789012:policy/Boundary");
}

static void test_role_made_is_read_back(void)
{
    answers *a = answers_new();
    made_role(a);
    iam_role r;
    sc_error err;
    REQUIRE(answers_role(a, NULL, ROLE, &r, &err) == ST_OK);
    CHECK_STR(r.trust_policy, TRUST);
    CHECK_STR(r.boundary, "arn:aws:iam::123456789012:policy/Boundary");
    CHECK_STR(r.arn, "arn:aws:iam::123456789012:role/Spot-Role");
    iam_role_free(&r);
    answers_trust_set(a, ROLE, "{\"new\":1}");
    REQUIRE(answers_role(a, NULL, ROLE, &r, &err) == ST_OK);
    CHECK_STR(r.trust_policy, "{\"new\":1}");
    iam_role_free(&r);
    CHECK(!answers_role_missing(a, ROLE));
    answers_free(a);
}

static void test_attachments_are_kept(void)
{
    answers *a = answers_new();
    made_role(a);
    iam_attached_policies p;
    sc_error err;
    REQUIRE(answers_role_policies(a, NULL, ROLE, &p, &err) == ST_OK);
    CHECK_INT(p.n, 0); /* a new role has none */
    iam_attached_policies_free(&p);
    answers_attached(a, ROLE, POLICY);
    answers_attached(a, ROLE, POLICY); /* once */
    answers_attached(a, ROLE, "arn:aws:iam::aws:policy/SecurityAudit");
    REQUIRE(answers_role_policies(a, NULL, ROLE, &p, &err) == ST_OK);
    REQUIRE(p.n == 2);
    CHECK_STR(p.arns[0], POLICY);
    CHECK_STR(p.names[0], "Spot-Policy");
    CHECK_STR(p.names[1], "SecurityAudit");
    iam_attached_policies_free(&p);
    answers_free(a);
}

static void test_policy_versions_follow_the_writes(void)
{
    answers *a = answers_new();
    iam_policy made = {.arn = POLICY, .default_version_id = "v1"};
    answers_policy_made(a, &made, "{\"v\":1}");
    CHECK(answers_policy_known(a, POLICY) && !answers_policy_missing(a, POLICY));
    iam_policy p;
    iam_policy_version v;
    sc_error err;
    REQUIRE(answers_policy(a, NULL, POLICY, &p, &err) == ST_OK);
    CHECK_STR(p.default_version_id, "v1");
    REQUIRE(answers_policy_version(a, NULL, POLICY, p.default_version_id, &v, &err) == ST_OK);
    CHECK_STR(v.document, "{\"v\":1}");
    CHECK(v.is_default);
    iam_policy_version_free(&v);
    iam_policy_free(&p);
    answers_policy_version_made(a, POLICY, "v2", "{\"v\":2}");
    REQUIRE(answers_policy(a, NULL, POLICY, &p, &err) == ST_OK);
    CHECK_STR(p.default_version_id, "v2");
    REQUIRE(answers_policy_version(a, NULL, POLICY, "v2", &v, &err) == ST_OK);
    CHECK_STR(v.document, "{\"v\":2}");
    iam_policy_version_free(&v);
    REQUIRE(answers_policy_version(a, NULL, POLICY, "v1", &v, &err) == ST_OK);
    CHECK(!v.is_default);
    iam_policy_version_free(&v);
    iam_policy_free(&p);
    answers_forget_policy(a, POLICY);
    CHECK(!answers_policy_known(a, POLICY));
    answers_free(a);
}

static void test_identity_is_kept(void)
{
    answers *a = answers_new();
    sts_identity id = {.account = "123456789012", .arn = "arn:aws:iam::123456789012:user/me"};
    answers_set_identity(a, &id);
    sts_identity got;
    sc_error err;
    REQUIRE(answers_identity(a, NULL, &got, &err) == ST_OK);
    CHECK_STR(got.account, "123456789012");
    CHECK_STR(got.arn, id.arn);
    sts_identity_free(&got);
    answers_free(a);
}

static void test_another_login_empties_the_store(void)
{
    unsigned char one[32] = {1}, two[32] = {2};
    answers *a = answers_new();
    answers_bind(a, one);
    iam_policy made = {.arn = POLICY, .default_version_id = "v1"};
    answers_policy_made(a, &made, "{}");
    answers_bind(a, one);
    CHECK(answers_policy_known(a, POLICY)); /* the same credentials: kept */
    answers_bind(a, two);
    CHECK(!answers_policy_known(a, POLICY));
    answers_policy_made(a, &made, "{}");
    answers_clear(a);
    CHECK(!answers_policy_known(a, POLICY));
    answers_policy_made(a, &made, "{}");
    answers_bind(a, two); /* a clear keeps whose store it is */
    CHECK(answers_policy_known(a, POLICY));
    answers_free(a);
}

static void test_forgotten_role_is_not_known(void)
{
    answers *a = answers_new();
    made_role(a);
    answers_forget_role(a, ROLE);
    CHECK(!answers_role_missing(a, ROLE));
    made_role(a); /* and can be made again */
    iam_role r;
    sc_error err;
    REQUIRE(answers_role(a, NULL, ROLE, &r, &err) == ST_OK);
    iam_role_free(&r);
    answers_free(a);
}

static void test_no_store_is_no_op(void)
{
    iam_policy made = {.arn = POLICY, .default_version_id = "v1"};
    answers_policy_made(NULL, &made, "{}");
    answers_policy_version_made(NULL, POLICY, "v2", "{}");
    made_role(NULL);
    answers_trust_set(NULL, ROLE, "{}");
    answers_attached(NULL, ROLE, POLICY);
    answers_forget_role(NULL, ROLE);
    answers_forget_policy(NULL, POLICY);
    answers_spot_changed(NULL);
    answers_clear(NULL);
    answers_free(NULL);
    CHECK(!answers_policy_known(NULL, POLICY) && !answers_role_missing(NULL, ROLE));
}

int main(void)
{
    check_suite = "answers";
    check_run("a role made is read back as sent, with its new trust", test_role_made_is_read_back);
    check_run("attachments: none on a new role, each kept once", test_attachments_are_kept);
    check_run("policy: the default version follows the writes", test_policy_versions_follow_the_writes);
    check_run("identity kept", test_identity_is_kept);
    check_run("another login empties the store; a clear keeps its owner",
              test_another_login_empties_the_store);
    check_run("a forgotten role is not known", test_forgotten_role_is_not_known);
    check_run("no store: every write is a no-op", test_no_store_is_no_op);
    return check_exit();
}
