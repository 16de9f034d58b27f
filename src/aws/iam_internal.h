/* What the IAM client's files share: the paging of List calls. */
#ifndef SC_IAM_INTERNAL_H
#define SC_IAM_INTERNAL_H

#include "aws/client.h"
#include "util/error.h"
#include "util/xml.h"

/* Runs a paged List call (key=value its one parameter, none when key is
 * NULL), handing each page's result to take. */
status_t iam_list_pages(aws_client *c, const char *action, const char *key, const char *value,
                        void (*take)(void *, const xml_node *), void *ctx, sc_error *err);

#endif
