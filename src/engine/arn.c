#include "engine/arn.h"

#include <stdio.h>
#include <string.h>

#include "aws/partition.h"
#include "util/ascii.h"

/* IAM names: letters, digits and +=,.@_- */
static int name_char_ok(char c)
{
    return ascii_isalnum((unsigned char)c) || strchr("+=,.@_-", c) != NULL;
}

static status_t bad(sc_error *err, const char *arn, const char *why)
{
    return error_set(err, ST_BAD_INPUT, "role ARN '%.200s' %s", arn, why);
}

/* Splits the five ':' separated fields before the resource. */
static int split_fields(const char *arn, const char *fields[6], size_t lens[6])
{
    const char *p = arn;
    for (int i = 0; i < 5; i++) {
        const char *c = strchr(p, ':');
        if (!c)
            return -1;
        fields[i] = p;
        lens[i] = (size_t)(c - p);
        p = c + 1;
    }
    fields[5] = p;
    lens[5] = strlen(p);
    return 0;
}

static status_t check_resource(const char *arn, const char *res, role_arn *out, sc_error *err)
{
    if (strncmp(res, "role/", 5) != 0)
        return bad(err, arn, "does not name a role (the part after the account must be role/NAME)");
    const char *name = strrchr(res, '/') + 1;
    size_t n = strlen(name);
    if (n == 0)
        return bad(err, arn, "has an empty role name");
    if (n > 64)
        return bad(err, arn, "has a role name longer than 64 characters");
    for (const char *p = res + 5; *p; p++)
        if (!name_char_ok(*p) && *p != '/')
            return bad(err, arn, "has a character IAM does not allow in a role name or path");
    memcpy(out->name, name, n + 1);
    return ST_OK;
}

static status_t check_account(const char *arn, const char *acct, size_t len, role_arn *out,
                              sc_error *err)
{
    if (len != 12)
        return bad(err, arn, "has an account ID that is not 12 digits");
    for (size_t i = 0; i < 12; i++)
        if (!ascii_isdigit((unsigned char)acct[i]))
            return bad(err, arn, "has an account ID that is not 12 digits");
    memcpy(out->account, acct, 12);
    out->account[12] = '\0';
    return ST_OK;
}

static status_t check_expected(const char *arn, const role_arn *r, const char *partition,
                               const char *account, sc_error *err)
{
    char why[160];
    if (partition && strcmp(r->partition, partition) != 0) {
        snprintf(why, sizeof why,
                 "is in partition %s, but this connection is in %s (from --partition or the "
                 "credentials)",
                 r->partition, partition);
        return bad(err, arn, why);
    }
    if (account && strcmp(r->account, account) != 0) {
        snprintf(why, sizeof why, "is in AWS account %s, but your credentials are for %s",
                 r->account, account);
        return bad(err, arn, why);
    }
    return ST_OK;
}

status_t arn_parse_role(const char *arn, const char *partition, const char *account, role_arn *out,
                        sc_error *err)
{
    const char *f[6];
    size_t len[6];
    memset(out, 0, sizeof *out);
    if (!arn || !*arn)
        return error_set(err, ST_BAD_INPUT, "the role ARN is empty");
    if (split_fields(arn, f, len) < 0 || len[0] != 3 || strncmp(f[0], "arn", 3) != 0)
        return bad(err, arn,
                   "is not an ARN (it should look like arn:aws:iam::123456789012:role/Spot-Role)");
    if (len[1] >= sizeof out->partition)
        return bad(err, arn, "names an unknown partition");
    memcpy(out->partition, f[1], len[1]);
    if (!partition_by_name(out->partition))
        return bad(err, arn, "names an unknown partition (aws, aws-us-gov or aws-cn)");
    if (len[2] != 3 || strncmp(f[2], "iam", 3) != 0)
        return bad(err, arn, "is not an IAM ARN");
    if (len[3] != 0)
        return bad(err, arn, "has a region, but IAM ARNs have none");
    status_t st = check_account(arn, f[4], len[4], out, err);
    if (st == ST_OK)
        st = check_resource(arn, f[5], out, err);
    if (st == ST_OK)
        st = check_expected(arn, out, partition, account, err);
    return st;
}
