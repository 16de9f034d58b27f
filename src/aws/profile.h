/* The AWS shared config and credentials files, read as botocore reads them.
 *
 * Config file (AWS_CONFIG_FILE, default ~/.aws/config): `[default]` and
 * `[profile NAME]` (NAME shell-split, so `[profile "a b"]` works) are
 * profiles; `[services NAME]` holds per-service settings; `[sso-session
 * NAME]` the IAM Identity Center settings profiles share; other sections
 * are kept but are not profiles.
 * Credentials file (AWS_SHARED_CREDENTIALS_FILE, default
 * ~/.aws/credentials): every `[NAME]` is a profile.
 *
 * A profile's settings are the config file's, overridden key by key by the
 * credentials file's (botocore's Session.full_config). A missing file is
 * an empty one; an unreadable or malformed one is an ST_CONFIG error. */
#ifndef SC_AWS_PROFILE_H
#define SC_AWS_PROFILE_H

#include <stddef.h>

#include "util/error.h"

typedef struct profile_files profile_files;

typedef enum profile_source {
    PROFILE_MERGED,      /* credentials file first, then config file */
    PROFILE_CONFIG,      /* config file only */
    PROFILE_CREDENTIALS, /* credentials file only */
} profile_source;

/* Reads both files from the paths the environment names. */
status_t profile_files_load(profile_files **out, sc_error *err);
/* Reads explicit paths (NULL = the environment / default); `~` and `$VAR`
 * are expanded as botocore does. */
status_t profile_files_load_paths(const char *config_path, const char *credentials_path,
                                  profile_files **out, sc_error *err);
void profile_files_free(profile_files *pf);

/* The paths as shown to people: "~/.aws/config" when defaulted, else the
 * value of the environment variable. */
const char *profile_config_path(const profile_files *pf);
const char *profile_credentials_path(const profile_files *pf);

/* 1 when either file defines the profile (src = PROFILE_MERGED) or the
 * given file does. */
int profile_exists(const profile_files *pf, const char *name);
int profile_defined_in(const profile_files *pf, profile_source src, const char *name);

/* A setting of a profile (key lowercase, e.g. "region"), NULL when unset.
 * The pointer stays valid until profile_files_free. */
const char *profile_get(const profile_files *pf, const char *name, const char *key);
const char *profile_get_in(const profile_files *pf, profile_source src, const char *name,
                           const char *key);
/* Where a setting was read, for messages: the shown path and line; returns
 * 0, or -1 when unset. */
int profile_where(const profile_files *pf, const char *name, const char *key, const char **path,
                  int *line);

/* Profile names: the config file's in file order, then those only in the
 * credentials file. For pickers such as the wizard's. */
size_t profile_count(const profile_files *pf);
const char *profile_name(const profile_files *pf, size_t i);

/* The value of `key` in the `service` block of the `[services NAME]`
 * section (e.g. NAME's "sts" block, key "endpoint_url"); copies it into out.
 * Returns 0, or -1 when unset. */
int profile_services_get(const profile_files *pf, const char *services_name, const char *service,
                         const char *key, char *out, size_t out_len);

/* [sso-session NAME] sections (NAME shell-split, as for profiles). */
int profile_sso_session_exists(const profile_files *pf, const char *session);
/* The value of key in that section, NULL when the section or key is absent. */
const char *profile_sso_session_get(const profile_files *pf, const char *session, const char *key);

#endif
