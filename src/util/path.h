/* File paths as the AWS CLI and Spot SDKs write them in settings. */
#ifndef SC_PATH_H
#define SC_PATH_H

/* Expands $VAR and ${VAR} (unset ones are kept as written), then a leading
 * ~ or ~user, as Python's os.path.expandvars + expanduser do. Caller frees. */
char *path_expand(const char *path);

#endif
