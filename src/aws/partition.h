/* AWS partitions: which endpoints, signing regions and ARN prefixes belong
 * together. IAM is global within a partition, so it signs with one region. */
#ifndef SC_PARTITION_H
#define SC_PARTITION_H

typedef struct partition_info {
    const char *name;           /* "aws", "aws-us-gov", "aws-cn" */
    const char *arn_prefix;     /* "arn:aws:" */
    const char *dns_suffix;     /* "amazonaws.com" */
    const char *iam_host;       /* "iam.amazonaws.com" */
    const char *iam_region;     /* region IAM signs with */
    const char *default_region; /* used when no region is configured */
} partition_info;

/* The partition a region belongs to; unknown regions fall in "aws". */
const partition_info *partition_for_region(const char *region);
/* "aws", the partition when nothing says otherwise. Never NULL. */
const partition_info *partition_default(void) __attribute__((returns_nonnull));
/* By name ("aws", "aws-us-gov", "aws-cn"); NULL when unknown. */
const partition_info *partition_by_name(const char *name);
/* The partition an ARN names ("arn:aws-cn:..."); NULL when it is not an ARN of a known one. */
const partition_info *partition_for_arn(const char *arn);
/* 1 when a region name is well formed (botocore's validate_region_name):
 * it becomes part of host names, some of which receive credentials. */
int partition_region_name_ok(const char *region);

#endif
