#include "aws/profile.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/env.h"
#include "util/file.h"
#include "util/ini.h"
#include "util/path.h"
#include "util/shlex.h"
#include "util/strindex.h"
#include "util/xalloc.h"

/* Far above any real AWS file; stops a wrong path from eating memory. */
#define PROFILE_MAX_FILE ((size_t)16 * 1024 * 1024)

typedef struct profile_ref {
    char *name;
    const ini_section *section;
} profile_ref;

typedef struct profile_map {
    profile_ref *refs;
    size_t count;
    size_t cap;
    str_index by_name; /* name -> index in refs */
} profile_map;

struct profile_files {
    char *config_shown;
    char *creds_shown;
    ini_file *config; /* NULL when the file does not exist */
    ini_file *creds;
    profile_map config_profiles; /* name -> [default] / [profile NAME] */
    profile_map services;        /* name -> [services NAME] */
    profile_map sso_sessions;    /* name -> [sso-session NAME] */
    char **names;                /* for profile_name() */
    size_t nnames;
    size_t names_cap;
    str_index names_index;
};

/* ---- path expansion (os.path.expandvars + expanduser) ---- */

/* ---- reading one file ---- */

/* botocore turns an indented block with a line lacking `=` into a parse error. */
static status_t pf_check_nested(const ini_file *f, const char *shown, sc_error *err)
{
    for (size_t i = 0; i < f->count; i++)
        for (size_t j = 0; j < f->sections[i].count; j++) {
            const ini_entry *e = &f->sections[i].entries[j];
            if (e->value[0] == '\n' && ini_nested_check(e->value))
                return error_set(err, ST_CONFIG,
                                 "%s: line %d: the indented block under `%.64s` has a line "
                                 "without `=`",
                                 shown, e->line, e->key);
        }
    return ST_OK;
}

static status_t pf_load_file(const char *path, const char *shown, ini_file **out, sc_error *err)
{
    *out = NULL;
    char *text = NULL;
    size_t len = 0;
    /* botocore: a missing file is simply not there */
    status_t st =
        file_read(path, shown, PROFILE_MAX_FILE, FILE_MISSING_OK, ST_CONFIG, &text, &len, err);
    if (st != ST_OK || !text)
        return st;
    ini_error ie;
    int rc = ini_parse(text, len, 0, out, &ie);
    OPENSSL_cleanse(text, len);
    free(text);
    if (rc < 0)
        return error_set(err, ST_CONFIG, "%s: %s", shown, ie.message);
    st = pf_check_nested(*out, shown, err);
    if (st != ST_OK) {
        ini_free(*out);
        *out = NULL;
    }
    return st;
}

/* ---- profile maps ---- */

static void map_set(profile_map *m, const char *name, const ini_section *s)
{
    size_t i = strindex_get(&m->by_name, name, strlen(name));
    if (i != STRINDEX_NONE) {
        m->refs[i].section = s; /* a later section replaces, not merges */
        return;
    }
    if (m->count == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->refs = xrealloc(m->refs, m->cap * sizeof *m->refs);
    }
    m->refs[m->count].name = xstrdup(name);
    m->refs[m->count].section = s;
    strindex_put(&m->by_name, m->refs[m->count].name, m->count);
    m->count++;
}

static const ini_section *map_get(const profile_map *m, const char *name)
{
    size_t i = strindex_get(&m->by_name, name, strlen(name));
    return i == STRINDEX_NONE ? NULL : m->refs[i].section;
}

static void map_free(profile_map *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->refs[i].name);
    free(m->refs);
    strindex_free(&m->by_name);
    memset(m, 0, sizeof *m);
}

/* botocore's _parse_section: "profile NAME" must shell-split into exactly
 * two words; anything else is silently not a profile. */
static void map_add_prefixed(profile_map *m, const ini_section *s)
{
    shlex_words w;
    const char *why;
    if (shlex_split(s->name, &w, &why) < 0)
        return;
    if (w.count == 2)
        map_set(m, w.words[1], s);
    shlex_free(&w);
}

/* botocore's build_profile_map, in file order. */
static void pf_build_maps(profile_files *pf)
{
    for (size_t i = 0; pf->config && i < pf->config->count; i++) {
        const ini_section *s = &pf->config->sections[i];
        if (strncmp(s->name, "profile", 7) == 0)
            map_add_prefixed(&pf->config_profiles, s);
        else if (strncmp(s->name, "services", 8) == 0)
            map_add_prefixed(&pf->services, s);
        else if (strncmp(s->name, "sso-session", 11) == 0)
            map_add_prefixed(&pf->sso_sessions, s);
        else if (strcmp(s->name, "default") == 0)
            map_set(&pf->config_profiles, "default", s);
    }
}

static void pf_add_name(profile_files *pf, const char *name)
{
    if (strindex_get(&pf->names_index, name, strlen(name)) != STRINDEX_NONE)
        return;
    if (pf->nnames == pf->names_cap) {
        pf->names_cap = pf->names_cap ? pf->names_cap * 2 : 16;
        pf->names = xrealloc(pf->names, pf->names_cap * sizeof *pf->names);
    }
    pf->names[pf->nnames] = xstrdup(name);
    strindex_put(&pf->names_index, pf->names[pf->nnames], pf->nnames);
    pf->nnames++;
}

static void pf_build_names(profile_files *pf)
{
    for (size_t i = 0; i < pf->config_profiles.count; i++)
        pf_add_name(pf, pf->config_profiles.refs[i].name);
    for (size_t i = 0; pf->creds && i < pf->creds->count; i++)
        pf_add_name(pf, pf->creds->sections[i].name);
}

/* ---- loading ---- */

static char *pf_choose_path(const char *given, const char *env, const char *def, char **shown)
{
    const char *p = given ? given : env_get(env);
    if (!p || !*p)
        p = def;
    *shown = xstrdup(p);
    return path_expand(p);
}

status_t profile_files_load_paths(const char *config_path, const char *credentials_path,
                                  profile_files **out, sc_error *err)
{
    profile_files *pf = xcalloc(1, sizeof *pf);
    char *cfg = pf_choose_path(config_path, "AWS_CONFIG_FILE", "~/.aws/config", &pf->config_shown);
    char *crd = pf_choose_path(credentials_path, "AWS_SHARED_CREDENTIALS_FILE",
                               "~/.aws/credentials", &pf->creds_shown);
    status_t st = pf_load_file(cfg, pf->config_shown, &pf->config, err);
    if (st == ST_OK)
        st = pf_load_file(crd, pf->creds_shown, &pf->creds, err);
    free(cfg);
    free(crd);
    if (st != ST_OK) {
        profile_files_free(pf);
        *out = NULL;
        return st;
    }
    pf_build_maps(pf);
    pf_build_names(pf);
    *out = pf;
    return ST_OK;
}

status_t profile_files_load(profile_files **out, sc_error *err)
{
    return profile_files_load_paths(NULL, NULL, out, err);
}

void profile_files_free(profile_files *pf)
{
    if (!pf)
        return;
    map_free(&pf->config_profiles);
    map_free(&pf->services);
    map_free(&pf->sso_sessions);
    for (size_t i = 0; i < pf->nnames; i++)
        free(pf->names[i]);
    free(pf->names);
    strindex_free(&pf->names_index);
    ini_free(pf->config);
    ini_free(pf->creds);
    free(pf->config_shown);
    free(pf->creds_shown);
    free(pf);
}

const char *profile_config_path(const profile_files *pf)
{
    return pf->config_shown;
}

const char *profile_credentials_path(const profile_files *pf)
{
    return pf->creds_shown;
}

/* ---- lookups ---- */

static const ini_section *pf_section(const profile_files *pf, profile_source src, const char *name)
{
    if (src == PROFILE_CONFIG)
        return map_get(&pf->config_profiles, name);
    return ini_find_section(pf->creds, name);
}

int profile_defined_in(const profile_files *pf, profile_source src, const char *name)
{
    if (src == PROFILE_MERGED)
        return pf_section(pf, PROFILE_CONFIG, name) || pf_section(pf, PROFILE_CREDENTIALS, name);
    return pf_section(pf, src, name) != NULL;
}

int profile_exists(const profile_files *pf, const char *name)
{
    return profile_defined_in(pf, PROFILE_MERGED, name);
}

static const ini_entry *pf_entry(const profile_files *pf, profile_source src, const char *name,
                                 const char *key, int *from_creds)
{
    const ini_entry *e = NULL;
    if (src != PROFILE_CONFIG)
        e = ini_find_entry(pf_section(pf, PROFILE_CREDENTIALS, name), key);
    *from_creds = e != NULL;
    if (!e && src != PROFILE_CREDENTIALS)
        e = ini_find_entry(pf_section(pf, PROFILE_CONFIG, name), key);
    return e;
}

const char *profile_get_in(const profile_files *pf, profile_source src, const char *name,
                           const char *key)
{
    int from_creds;
    const ini_entry *e = pf_entry(pf, src, name, key, &from_creds);
    return e ? e->value : NULL;
}

const char *profile_get(const profile_files *pf, const char *name, const char *key)
{
    return profile_get_in(pf, PROFILE_MERGED, name, key);
}

int profile_where(const profile_files *pf, const char *name, const char *key, const char **path,
                  int *line)
{
    int from_creds;
    const ini_entry *e = pf_entry(pf, PROFILE_MERGED, name, key, &from_creds);
    if (!e)
        return -1;
    *path = from_creds ? pf->creds_shown : pf->config_shown;
    *line = e->line;
    return 0;
}

size_t profile_count(const profile_files *pf)
{
    return pf->nnames;
}

const char *profile_name(const profile_files *pf, size_t i)
{
    return i < pf->nnames ? pf->names[i] : NULL;
}

int profile_services_get(const profile_files *pf, const char *services_name, const char *service,
                         const char *key, char *out, size_t out_len)
{
    const char *block = ini_get(map_get(&pf->services, services_name), service);
    if (!block || block[0] != '\n')
        return -1;
    return ini_nested_get(block, key, out, out_len);
}

int profile_sso_session_exists(const profile_files *pf, const char *session)
{
    return map_get(&pf->sso_sessions, session) != NULL;
}

const char *profile_sso_session_get(const profile_files *pf, const char *session, const char *key)
{
    return ini_get(map_get(&pf->sso_sessions, session), key);
}
