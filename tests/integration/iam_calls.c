/* Every IAM and STS call of the AWS client against a real peer (moto with
 * signature checking on). Started by test_iam.py, which passes the endpoint
 * and keys in the standard AWS_* variables; output is ok/not ok lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/check.h"
#include "aws/iam.h"
#include "aws/session.h"
#include "aws/sts.h"

#define DOC_V(n)                                                                                   \
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S" #n "\",\"Effect\":\"Allow\","        \
    "\"Action\":\"ec2:Describe*\",\"Resource\":\"*\"}]}"

/* Like CHECK_INT for a status, and says what AWS answered when it differs. */
#define CHECK_ST(call, want)                                                                       \
    do {                                                                                           \
        status_t st_ = (call);                                                                     \
        CHECK_INT(st_, want);                                                                      \
        if (st_ != (want))                                                                         \
            fprintf(stderr, "    error: %s %s\n", err.code, err.message);                          \
    } while (0)

static aws_session *session;
static char policy_name[64], role_name[64], policy_arn[256], account[32], caller[256];

static const char *trust(const char *external_id)
{
    static char doc[512];
    snprintf(doc, sizeof doc,
             "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
             "{\"AWS\":\"%s\"},\"Action\":\"sts:AssumeRole\",\"Condition\":"
             "{\"StringEquals\":{\"sts:ExternalId\":\"%s\"}}}]}",
             caller, external_id);
    return doc;
}

static void caller_identity(void)
{
    sts_identity id;
    sc_error err;
    CHECK_ST(sts_get_caller_identity(session->client, &id, &err), ST_OK);
    CHECK(id.account && strlen(id.account) == 12);
    CHECK(id.arn && strncmp(id.arn, "arn:aws:iam::", 13) == 0);
    if (id.account)
        snprintf(account, sizeof account, "%s", id.account);
    /* moto evaluates trust policies but does not match :root to a user, so
     * the test role trusts the caller itself. */
    if (id.arn)
        snprintf(caller, sizeof caller, "%s", id.arn);
    sts_identity_free(&id);
}

static void create_policy(void)
{
    iam_policy p;
    sc_error err;
    CHECK_ST(iam_create_policy(session->client, policy_name, DOC_V(1), "spot test", &p, &err),
             ST_OK);
    CHECK(p.arn && strstr(p.arn, policy_name));
    CHECK_STR(p.default_version_id, "v1");
    if (p.arn)
        snprintf(policy_arn, sizeof policy_arn, "%s", p.arn);
    iam_policy_free(&p);
}

static void create_policy_twice(void)
{
    iam_policy p;
    sc_error err;
    CHECK_ST(iam_create_policy(session->client, policy_name, DOC_V(1), NULL, &p, &err), ST_AWS);
    CHECK(iam_is(&err, "EntityAlreadyExists"));
    CHECK_INT(err.http_status, 409);
    CHECK(err.request_id[0] != '\0');
}

static void create_policy_malformed(void)
{
    iam_policy p;
    sc_error err;
    const char *bad = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\"}]}";
    CHECK_ST(iam_create_policy(session->client, "bad-policy", bad, NULL, &p, &err), ST_AWS);
    CHECK(iam_is(&err, "MalformedPolicyDocument"));
}

static void get_policy(void)
{
    iam_policy p;
    sc_error err;
    CHECK_ST(iam_get_policy(session->client, policy_arn, &p, &err), ST_OK);
    CHECK_STR(p.name, policy_name);
    iam_policy_free(&p);
    char missing[300];
    snprintf(missing, sizeof missing, "arn:aws:iam::%s:policy/no-such-policy", account);
    CHECK_ST(iam_get_policy(session->client, missing, &p, &err), ST_AWS);
    CHECK(iam_is(&err, "NoSuchEntity"));
    CHECK_INT(err.http_status, 404);
}

static void get_policy_version(void)
{
    iam_policy_version v;
    sc_error err;
    CHECK_ST(iam_get_policy_version(session->client, policy_arn, "v1", &v, &err), ST_OK);
    CHECK(v.is_default);
    CHECK(v.document && strstr(v.document, "\"Sid\":\"S1\"") != NULL);
    CHECK(v.create_date > 0);
    iam_policy_version_free(&v);
}

static void policy_versions_up_to_limit(void)
{
    static const char *const docs[] = {DOC_V(2), DOC_V(3), DOC_V(4), DOC_V(5)};
    sc_error err;
    iam_policy_version v;
    for (int i = 0; i < 4; i++) {
        CHECK_ST(iam_create_policy_version(session->client, policy_arn, docs[i], 1, &v, &err),
                 ST_OK);
        CHECK(v.is_default);
        iam_policy_version_free(&v);
    }
    CHECK_ST(iam_create_policy_version(session->client, policy_arn, DOC_V(6), 1, &v, &err), ST_AWS);
    CHECK(iam_is(&err, "LimitExceeded"));
    CHECK_INT(err.attempts, 1); /* never repeated: it is not idempotent */
}

static void list_and_delete_versions(void)
{
    iam_policy_versions vs;
    sc_error err;
    CHECK_ST(iam_list_policy_versions(session->client, policy_arn, &vs, &err), ST_OK);
    CHECK_INT(vs.n, 5);
    int defaults = 0;
    for (size_t i = 0; i < vs.n; i++)
        defaults += vs.items[i].is_default;
    CHECK_INT(defaults, 1);
    iam_policy_versions_free(&vs);
    CHECK_ST(iam_delete_policy_version(session->client, policy_arn, "v1", &err), ST_OK);
    CHECK_ST(iam_delete_policy_version(session->client, policy_arn, "v5", &err), ST_AWS);
    CHECK(iam_is(&err, "DeleteConflict"));
}

static void create_and_get_role(void)
{
    iam_role r;
    sc_error err;
    CHECK_ST(iam_create_role(session->client, role_name, trust("ext-one"), "spot", &r, &err),
             ST_OK);
    CHECK(r.arn && strstr(r.arn, ":role/") && strstr(r.arn, role_name));
    iam_role_free(&r);
    CHECK_ST(iam_create_role(session->client, role_name, trust("ext-one"), NULL, &r, &err), ST_AWS);
    CHECK(iam_is(&err, "EntityAlreadyExists"));
    CHECK_ST(iam_get_role(session->client, role_name, &r, &err), ST_OK);
    CHECK(r.trust_policy && strstr(r.trust_policy, "ext-one") && r.trust_policy[0] == '{');
    iam_role_free(&r);
    CHECK_ST(iam_get_role(session->client, "no-such-role", &r, &err), ST_AWS);
    CHECK(iam_is(&err, "NoSuchEntity"));
}

static void update_trust_policy(void)
{
    iam_role r;
    sc_error err;
    CHECK_ST(iam_update_assume_role_policy(session->client, role_name, trust("ext-two"), &err),
             ST_OK);
    CHECK_ST(iam_get_role(session->client, role_name, &r, &err), ST_OK);
    CHECK(r.trust_policy && strstr(r.trust_policy, "ext-two") &&
          !strstr(r.trust_policy, "ext-one"));
    iam_role_free(&r);
}

static int attached(const char *arn)
{
    iam_attached_policies a;
    sc_error err;
    if (iam_list_attached_role_policies(session->client, role_name, &a, &err) != ST_OK)
        return -1;
    int found = 0;
    for (size_t i = 0; i < a.n; i++)
        found |= strcmp(a.arns[i], arn) == 0;
    iam_attached_policies_free(&a);
    return found;
}

static void attach_and_detach(void)
{
    sc_error err;
    const char *audit = "arn:aws:iam::aws:policy/SecurityAudit";
    CHECK_ST(iam_attach_role_policy(session->client, role_name, policy_arn, &err), ST_OK);
    CHECK_ST(iam_attach_role_policy(session->client, role_name, audit, &err), ST_OK);
    CHECK_INT(attached(policy_arn), 1);
    CHECK_INT(attached(audit), 1);
    CHECK_ST(iam_detach_role_policy(session->client, role_name, audit, &err), ST_OK);
    CHECK_INT(attached(audit), 0);
}

static void assume_role(void)
{
    sc_error err;
    char arn[256];
    snprintf(arn, sizeof arn, "arn:aws:iam::%s:role/%s", account, role_name);
    sts_assume_role_params p = {arn, "iam-calls-test", "ext-one", NULL, NULL, 900};
    aws_credentials temp;
    char *assumed = NULL;
    /* The trust policy now names ext-two: the old External ID is refused. */
    CHECK_ST(sts_assume_role(session->client, &p, &temp, &assumed, &err), ST_AWS);
    CHECK(iam_is(&err, "AccessDenied"));
    p.external_id = "ext-two";
    CHECK_ST(sts_assume_role(session->client, &p, &temp, &assumed, &err), ST_OK);
    CHECK(temp.session_token && temp.expiration > 0);
    CHECK(assumed && strstr(assumed, ":assumed-role/") && strstr(assumed, "iam-calls-test"));
    /* The temporary keys work, with the session token signed in. */
    creds_provider *prov = creds_provider_static(&temp, "assume-role");
    aws_client_config cfg = *aws_client_get_config(session->client);
    cfg.creds = prov;
    aws_client *tc = aws_client_new(&cfg);
    sts_identity id;
    CHECK_ST(sts_get_caller_identity(tc, &id, &err), ST_OK);
    CHECK(id.arn && strstr(id.arn, ":assumed-role/"));
    sts_identity_free(&id);
    aws_client_free(tc);
    creds_provider_free(prov);
    aws_credentials_clear(&temp);
    free(assumed);
}

static void delete_in_order(void)
{
    sc_error err;
    CHECK_ST(iam_delete_role(session->client, role_name, &err), ST_AWS);
    CHECK(iam_is(&err, "DeleteConflict"));
    CHECK_ST(iam_detach_role_policy(session->client, role_name, policy_arn, &err), ST_OK);
    CHECK_ST(iam_delete_role(session->client, role_name, &err), ST_OK);
    iam_policy_versions vs;
    CHECK_ST(iam_list_policy_versions(session->client, policy_arn, &vs, &err), ST_OK);
    for (size_t i = 0; i < vs.n; i++)
        if (!vs.items[i].is_default)
            CHECK_ST(iam_delete_policy_version(session->client, policy_arn, vs.items[i].version_id,
                                               &err),
                     ST_OK);
    iam_policy_versions_free(&vs);
    CHECK_ST(iam_delete_policy(session->client, policy_arn, &err), ST_OK);
    iam_policy p;
    CHECK_ST(iam_get_policy(session->client, policy_arn, &p, &err), ST_AWS);
    CHECK(iam_is(&err, "NoSuchEntity"));
}

/* With the keys of a user that has no permissions (SC_LIMITED_* from the test). */
static void access_denied(void)
{
    aws_credentials lim = {getenv("SC_LIMITED_KEY_ID"), getenv("SC_LIMITED_SECRET"), NULL, 0, NULL};
    CHECK(lim.access_key_id && lim.secret_access_key);
    if (!lim.access_key_id || !lim.secret_access_key)
        return;
    creds_provider *prov = creds_provider_static(&lim, "env");
    aws_client_config cfg = *aws_client_get_config(session->client);
    cfg.creds = prov;
    aws_client *lc = aws_client_new(&cfg);
    iam_policy p;
    sc_error err;
    CHECK_ST(iam_create_policy(lc, "denied-policy", DOC_V(1), NULL, &p, &err), ST_AWS);
    CHECK(iam_is(&err, "AccessDenied"));
    CHECK_INT(err.http_status, 403);
    aws_client_free(lc);
    creds_provider_free(prov);
}

int main(void)
{
    check_suite = "iam-calls";
    snprintf(policy_name, sizeof policy_name, "Spot-Policy-%d", (int)getpid());
    snprintf(role_name, sizeof role_name, "Spot-Role-%d", (int)getpid());
    http_global_init();
    aws_session_options so = {0};
    sc_error err;
    if (aws_session_open(&so, &session, &err) != ST_OK) {
        printf("not ok - iam-calls: session: %s\n", err.message);
        return 1;
    }
    check_run("GetCallerIdentity", caller_identity);
    check_run("CreatePolicy", create_policy);
    check_run("CreatePolicy twice is EntityAlreadyExists", create_policy_twice);
    check_run("CreatePolicy malformed is MalformedPolicyDocument", create_policy_malformed);
    check_run("GetPolicy and NoSuchEntity", get_policy);
    check_run("GetPolicyVersion", get_policy_version);
    check_run("CreatePolicyVersion up to LimitExceeded", policy_versions_up_to_limit);
    check_run("ListPolicyVersions and DeletePolicyVersion", list_and_delete_versions);
    check_run("CreateRole and GetRole", create_and_get_role);
    check_run("UpdateAssumeRolePolicy", update_trust_policy);
    check_run("Attach/Detach/ListAttachedRolePolicies", attach_and_detach);
    check_run("AssumeRole with ExternalId", assume_role);
    check_run("DeleteRole/DeletePolicy in order", delete_in_order);
    check_run("AccessDenied for a user without permissions", access_denied);
    aws_session_free(session);
    http_global_cleanup();
    return check_exit();
}
