#include "spot/auth.h"

#include "spot/spot.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "net/endpoint.h"
#include "net/tls.h"
#include "util/env.h"
#include "util/file.h"
#include "util/ini.h"
#include "util/json.h"
#include "util/path.h"
#include "util/xalloc.h"

#define SPOT_FILE_MAX ((size_t)1024 * 1024)
#define DEFAULT_CREDENTIALS "~/.spotinst/credentials"
#define DEFAULT_PROFILE "default"

/* What one profile of the credentials file holds. */
typedef struct file_values {
    int found; /* the profile (or, for "default", a flat file) exists */
    char *token;
    char *account;
} file_values;

static void file_values_clear(file_values *v)
{
    xfree_secret(v->token);
    free(v->account);
    memset(v, 0, sizeof *v);
}

/* A token goes into an HTTP header line: no spaces, no control bytes. */
static int token_is_clean(const char *t)
{
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        if (*p < 0x21 || *p == 0x7f)
            return 0;
    return 1;
}

/* Reads a whole file. *missing is set (and ST_OK returned) when it does
 * not exist and missing_ok allows that. */
static status_t read_file(const char *path, const char *shown, int missing_ok, char **text,
                          size_t *len, int *missing, sc_error *err)
{
    status_t st = file_read(path, shown, SPOT_FILE_MAX, missing_ok ? FILE_MISSING_OK : 0, ST_CONFIG,
                            text, len, err);
    *missing = st == ST_OK && !*text;
    return st;
}

static void free_text(char *text, size_t len)
{
    if (text)
        OPENSSL_cleanse(text, len);
    free(text);
}

/* ---- --token-file ---- */

static status_t token_from_file(const char *token_file, spot_auth *out, sc_error *err)
{
    char *path = path_expand(token_file), *text = NULL;
    size_t len = 0;
    int missing;
    status_t st = read_file(path, token_file, 0, &text, &len, &missing, err);
    free(path);
    if (st != ST_OK)
        return st;
    const char *s = text + strspn(text, " \t");
    size_t n = strcspn(s, "\r\n");
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        st = error_set(err, ST_CONFIG, "the token file %s is empty on its first line", token_file);
    else {
        out->token = xstrndup(s, n);
        if (!token_is_clean(out->token))
            st = error_set(err, ST_CONFIG, "the token in %s contains spaces or control characters",
                           token_file);
        snprintf(out->source, sizeof out->source, "--token-file");
    }
    free_text(text, len);
    return st;
}

/* ---- the credentials file: INI, the older YAML, or flat JSON ---- */

static void take(char **dst, const char *value)
{
    if (!*dst && value && *value)
        *dst = xstrdup(value);
}

static status_t parse_ini(const char *text, size_t len, const char *profile, const char *shown,
                          file_values *v, sc_error *err)
{
    ini_file *f = NULL;
    ini_error ie;
    if (ini_parse(text, len, INI_ALLOW_DUPLICATES, &f, &ie) != 0)
        return error_set(err, ST_CONFIG, "%s: line %d: %s", shown, ie.line, ie.message);
    const ini_section *s = ini_find_section(f, profile);
    v->found = s != NULL;
    take(&v->token, ini_get(s, "token"));
    take(&v->account, ini_get(s, "account"));
    ini_free(f);
    return ST_OK;
}

/* Trims blanks and one pair of matching quotes in place. */
static char *yaml_scalar(char *s)
{
    s += strspn(s, " \t");
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0]) {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Cuts a " # comment" that is not inside quotes. */
static void yaml_cut_comment(char *line)
{
    char quote = 0;
    for (char *p = line; *p; p++) {
        if (quote) {
            quote = (char)(*p == quote ? '\0' : quote);
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '#' && (p == line || p[-1] == ' ' || p[-1] == '\t')) {
            *p = '\0';
            return;
        }
    }
}

/* The key/value part of a `key: value` line; -1 when there is none. */
static int yaml_split(char *line, char **key, char **value)
{
    char *colon = line;
    while ((colon = strchr(colon, ':')) && colon[1] && colon[1] != ' ' && colon[1] != '\t' &&
           colon[1] != '\r')
        colon++;
    if (!colon)
        return -1;
    *colon = '\0';
    *key = yaml_scalar(line);
    *value = yaml_scalar(colon + 1);
    return **key ? 0 : -1;
}

/* Returns 1 when key is one of ours. */
static int yaml_take(file_values *dst, const char *key, const char *value)
{
    if (strcmp(key, "token") == 0)
        take(&dst->token, value);
    else if (strcmp(key, "account") == 0)
        take(&dst->account, value);
    else
        return 0;
    return 1;
}

/* One line of the YAML form: `name:` opens a profile block, indented
 * `key: value` lines belong to it, unindented ones are the flat form. */
static status_t yaml_line(char *line, int lineno, const char *profile, const char *shown,
                          int *in_profile, file_values *v, file_values *flat, sc_error *err)
{
    yaml_cut_comment(line);
    size_t indent = strspn(line, " \t");
    char *key, *value;
    if (line[indent] == '\0' || line[indent] == '\r' || strncmp(line, "---", 3) == 0)
        return ST_OK;
    if (yaml_split(line + indent, &key, &value) != 0)
        return error_set(err, ST_CONFIG,
                         "%s: line %d is neither `[profile]`, `key = value` nor "
                         "`key: value`",
                         shown, lineno);
    if (indent == 0 && !*value) {
        *in_profile = strcmp(key, profile) == 0;
        v->found |= *in_profile;
    } else if (indent == 0) {
        *in_profile = 0;
        flat->found |= yaml_take(flat, key, value);
    } else if (*in_profile) {
        yaml_take(v, key, value);
    }
    return ST_OK;
}

static status_t parse_yaml(char *text, const char *profile, const char *shown, file_values *v,
                           sc_error *err)
{
    file_values flat = {0};
    int in_profile = 0, lineno = 0;
    status_t st = ST_OK;
    for (char *line = text, *next; line && st == ST_OK; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        st = yaml_line(line, ++lineno, profile, shown, &in_profile, v, &flat, err);
    }
    /* A file of bare `token:`/`account:` lines has no profiles: it is the
     * default one. */
    if (st == ST_OK && !v->found && flat.found && strcmp(profile, DEFAULT_PROFILE) == 0) {
        file_values_clear(v);
        *v = flat;
        memset(&flat, 0, sizeof flat);
    }
    file_values_clear(&flat);
    return st;
}

/* The Go SDK's old file: {"token":..,"account":..}, or profiles of those. */
static status_t parse_json(const char *text, size_t len, const char *profile, const char *shown,
                           file_values *v, sc_error *err)
{
    sc_error why = {.status = ST_OK};
    yajl_val root = NULL;
    json_parse(text, len, SPOT_FILE_MAX, &root, &why);
    if (!YAJL_IS_OBJECT(root)) {
        json_free_secret(root);
        return error_set(err, ST_CONFIG, "%s starts with `{` but is not a JSON object%s%s", shown,
                         root ? "" : ": ", root ? "" : why.message);
    }
    yajl_val p = json_member(root, profile);
    if (!YAJL_IS_OBJECT(p))
        p = NULL;
    if (!p && json_member_str(root, "token") && strcmp(profile, DEFAULT_PROFILE) == 0)
        p = root;
    v->found = p != NULL;
    take(&v->token, json_member_str(p, "token"));
    take(&v->account, json_member_str(p, "account"));
    json_free_secret(root);
    return ST_OK;
}

/* The first character that is not blank and not in a comment line. */
static char first_significant(const char *text)
{
    for (const char *p = text; *p;) {
        p += strspn(p, " \t\r\n");
        if (*p != '#' && *p != ';')
            return *p;
        p += strcspn(p, "\n");
    }
    return '\0';
}

static status_t parse_creds(char *text, size_t len, const char *profile, const char *shown,
                            file_values *v, sc_error *err)
{
    char c = first_significant(text);
    if (c == '[')
        return parse_ini(text, len, profile, shown, v, err);
    if (c == '{')
        return parse_json(text, len, profile, shown, v, err);
    return parse_yaml(text, profile, shown, v, err);
}

status_t spot_auth_parse_text(const char *text, size_t len, const char *profile, spot_auth *out,
                              sc_error *err)
{
    memset(out, 0, sizeof *out);
    error_clear(err);
    char *copy = xmalloc(len + 1); /* the YAML reader cuts lines in place */
    memcpy(copy, text, len);
    copy[len] = '\0';
    file_values v = {0};
    status_t st = parse_creds(copy, len, profile, "the credentials file", &v, err);
    free_text(copy, len);
    if (st == ST_OK && v.token && !token_is_clean(v.token))
        st = error_set(err, ST_CONFIG, "the token contains spaces or control characters");
    if (st == ST_OK) {
        out->token = v.token;
        out->account = v.account;
        memset(&v, 0, sizeof v);
    }
    file_values_clear(&v);
    return st;
}

/* Reads the profile from the credentials file the environment names. A
 * missing default file is no error; a file or profile named explicitly
 * (SPOTINST_SHARED_CREDENTIALS_FILE, SPOTINST_PROFILE) must be there. */
static status_t load_profile(file_values *v, char *shown, size_t shown_len, sc_error *err)
{
    const char *named_file = env_get("SPOTINST_SHARED_CREDENTIALS_FILE");
    const char *named_profile = env_get("SPOTINST_PROFILE");
    const char *profile = named_profile ? named_profile : DEFAULT_PROFILE;
    const char *file = named_file ? named_file : DEFAULT_CREDENTIALS;
    char *path = path_expand(file), *text = NULL;
    size_t len = 0;
    int missing = 0;
    snprintf(shown, shown_len, "%s [%s]", file, profile);
    status_t st = read_file(path, file, !named_file, &text, &len, &missing, err);
    free(path);
    if (st == ST_OK && !missing)
        st = parse_creds(text, len, profile, file, v, err);
    free_text(text, len);
    if (st == ST_OK && !missing && !v->found && named_profile)
        st = error_set(err, ST_CONFIG, "profile `%s` (SPOTINST_PROFILE) is not in %s", profile,
                       file);
    if (st == ST_OK && v->token && !token_is_clean(v->token))
        st = error_set(err, ST_CONFIG, "the token in %s contains spaces or control characters",
                       shown);
    return st;
}

static status_t fill_from_file(spot_auth *out, sc_error *err)
{
    file_values v = {0};
    char shown[sizeof out->source];
    status_t st = load_profile(&v, shown, sizeof shown, err);
    if (st == ST_OK && !out->token && v.token) {
        out->token = v.token;
        v.token = NULL;
        snprintf(out->source, sizeof out->source, "%s", shown);
    }
    if (st == ST_OK && !out->account && v.account) {
        out->account = v.account;
        v.account = NULL;
    }
    file_values_clear(&v);
    return st;
}

/* When the token is known already the file could only add the account:
 * a file that cannot be used is then a warning, not a reason to stop. */
static status_t fill_or_warn(spot_auth *out, sc_error *err)
{
    status_t st = fill_from_file(out, err);
    if (st == ST_CONFIG && out->token) {
        snprintf(out->warning, sizeof out->warning, "%.400s; the token from %.90s is used",
                 err->message, out->source);
        error_clear(err);
        st = ST_OK;
    }
    return st;
}

status_t spot_auth_resolve(const char *token_file, const char *account, spot_auth *out,
                           sc_error *err)
{
    memset(out, 0, sizeof *out);
    error_clear(err);
    status_t st = ST_OK;
    const char *env_token = env_get("SPOTINST_TOKEN");
    if (token_file && *token_file) {
        st = token_from_file(token_file, out, err);
    } else if (env_token) {
        out->token = xstrdup(env_token);
        snprintf(out->source, sizeof out->source, "SPOTINST_TOKEN");
        if (!token_is_clean(out->token))
            st = error_set(err, ST_CONFIG, "SPOTINST_TOKEN contains spaces or control characters");
    }
    const char *env_account = env_get("SPOTINST_ACCOUNT");
    if (st == ST_OK && (account && *account ? account : env_account))
        out->account = xstrdup(account && *account ? account : env_account);
    if (st == ST_OK && (!out->token || !out->account))
        st = fill_or_warn(out, err);
    if (st != ST_OK)
        spot_auth_clear(out);
    return st;
}

void spot_auth_clear(spot_auth *a)
{
    if (!a)
        return;
    xfree_secret(a->token);
    free(a->account);
    memset(a, 0, sizeof *a);
}

static const char *env_or(const char *value, const char *env)
{
    return value && *value ? value : env_get(env);
}

status_t spot_check_endpoint(const char *endpoint, sc_error *err)
{
    const char *url = env_or(endpoint, "SPOT_CONNECT_SPOT_ENDPOINT");
    const char *what = endpoint && *endpoint ? "--spot-endpoint"
                       : url                 ? "SPOT_CONNECT_SPOT_ENDPOINT"
                                             : "the Spot endpoint";
    return endpoint_check(url ? url : SPOT_DEFAULT_ENDPOINT, ENDPOINT_SPOT, what, err);
}

status_t spot_open(spot_auth *auth, const char *endpoint, const char *ca_bundle,
                   const http_options *http, api_log_fn log, void *log_ctx, spot_client **out,
                   sc_error *err)
{
    *out = NULL;
    if (!auth->token)
        return ST_OK;
    status_t st = spot_check_endpoint(endpoint, err);
    if (st != ST_OK)
        return st;
    spot_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (http)
        cfg.http = *http;
    cfg.endpoint = env_or(endpoint, "SPOT_CONNECT_SPOT_ENDPOINT");
    tls_ca ca = tls_ca_for(ENDPOINT_SPOT, ca_bundle, NULL);
    cfg.http.ca_bundle = ca.file;
    cfg.http.ca_dir = ca.dir;
    cfg.http.ca_source = ca.source;
    cfg.token = auth->token;
    cfg.log = log;
    cfg.log_ctx = log_ctx;
    *out = spot_client_new(&cfg);
    return ST_OK;
}
