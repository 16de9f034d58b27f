#include "aws/partition.h"

#include <stddef.h>
#include <string.h>

#include "util/ascii.h"

static const partition_info partitions[] = {
    {"aws", "arn:aws:", "amazonaws.com", "iam.amazonaws.com", "us-east-1", "us-east-1"},
    {"aws-us-gov", "arn:aws-us-gov:", "amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1",
     "us-gov-west-1"},
    {"aws-cn", "arn:aws-cn:", "amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1",
     "cn-north-1"},
};

const partition_info *partition_default(void)
{
    return &partitions[0];
}

const partition_info *partition_for_region(const char *region)
{
    if (region && strncmp(region, "us-gov-", 7) == 0)
        return &partitions[1];
    if (region && strncmp(region, "cn-", 3) == 0)
        return &partitions[2];
    return &partitions[0];
}

const partition_info *partition_by_name(const char *name)
{
    for (size_t i = 0; name && i < sizeof partitions / sizeof partitions[0]; i++)
        if (strcmp(partitions[i].name, name) == 0)
            return &partitions[i];
    return NULL;
}

const partition_info *partition_for_arn(const char *arn)
{
    for (size_t i = 0; arn && i < sizeof partitions / sizeof partitions[0]; i++) {
        size_t n = strlen(partitions[i].arn_prefix);
        if (strncmp(arn, partitions[i].arn_prefix, n) == 0)
            return &partitions[i];
    }
    return NULL;
}

int partition_region_name_ok(const char *r)
{
    size_t n = strlen(r);
    if (n == 0 || n > 63 || r[0] == '-' || r[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ascii_isalnum((unsigned char)r[i]) && r[i] != '-')
            return 0;
    return 1;
}
