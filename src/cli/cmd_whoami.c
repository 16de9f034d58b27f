/* spot-connect whoami: the AWS identity the other commands will act as. */
#include <stdio.h>

#include "aws/sts.h"
#include "cli/cli.h"
#include "util/json.h"

static const char whoami_usage[] =
    "Usage: spot-connect whoami [--profile P] [--region R] [OPTIONS]\n"
    "\n"
    "Prints the AWS identity (STS GetCallerIdentity) as JSON:\n"
    "  {\"account\", \"arn\", \"userId\", \"partition\", \"source\", \"profile\"}\n"
    "where source names the credential provider that supplied the keys\n"
    "(env, shared-credentials-file, config-file, assume-role,\n"
    "assume-role-with-web-identity, sso, custom-process, container-role, iam-role).\n"
    "\n"
    "Options:\n"
    "  --profile P          AWS profile (default: AWS_PROFILE, then \"default\")\n"
    "  --region R           AWS region (default: AWS_REGION, AWS_DEFAULT_REGION,\n"
    "                       the profile, then us-east-1)\n"
    "  --ca-bundle FILE     trust this PEM bundle (default: AWS_CA_BUNDLE, profile ca_bundle,\n"
    "                       CURL_CA_BUNDLE, SSL_CERT_FILE/SSL_CERT_DIR, the system's)\n"
    "  --connect-timeout S  seconds to wait for a connection (default 5)\n"
    "  --timeout S          seconds for a whole API call (default 30)\n"
    "  -v, --verbose        log every API call on stderr (never a secret)\n"
    "  -h, --help           show this help\n";

static void print_identity(const aws_session *s, const sts_identity *id)
{
    const partition_info *p = partition_for_arn(id->arn);
    yajl_gen g = json_gen_new(1);
    yajl_gen_map_open(g);
    json_kv_str(g, "account", id->account);
    json_kv_str(g, "arn", id->arn);
    json_kv_str(g, "userId", id->user_id);
    json_kv_str(g, "partition", p ? p->name : s->partition->name);
    json_kv_str(g, "source", s->creds->method);
    json_kv_str(g, "profile", s->creds->profile[0] ? s->creds->profile : NULL);
    yajl_gen_map_close(g);
    json_gen_finish(g, stdout);
}

int cmd_whoami(int argc, char **argv)
{
    cli_aws_options o;
    int rc = cli_parse_aws_options(argc, argv, &o, whoami_usage);
    if (rc != 0)
        return rc > 0 ? EXIT_OK : EXIT_USAGE;
    aws_session_options so;
    cli_session_options(&o, &so);
    aws_session *s = NULL;
    sc_error err;
    error_clear(&err);
    if (aws_session_open(&so, &s, &err) != ST_OK)
        return cli_report("AWS credentials", &err);
    sts_identity id;
    status_t st = sts_get_caller_identity(s->client, &id, &err);
    if (st == ST_OK) {
        print_identity(s, &id);
        sts_identity_free(&id);
    }
    aws_session_free(s);
    return st == ST_OK ? EXIT_OK : cli_report("GetCallerIdentity", &err);
}
