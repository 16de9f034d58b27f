/* The wizard's company rules: the role and policy names, the permissions
 * boundary, the IAM path and the tags, set on the Options form of the
 * Permissions and policy steps. Checked against IAM's rules when saved,
 * so a mistake is named on the form, not after the policy step. */
#ifndef SC_WIZARD_RULES_H
#define SC_WIZARD_RULES_H

#include <stddef.h>

#include "aws/iam.h"
#include "wizard/wizard.h"

/* Checks and stores the form's values ("" = the default; tags as
 * "KEY=VALUE, KEY=VALUE"). 0 when stored; otherwise -1, nothing changed,
 * and why (naming the field and IAM's rule) in why. */
int wiz_rules_set(wizard *w, const char *role, const char *policy, const char *boundary,
                  const char *path, const char *tags, char *why, size_t len);
/* Splits "KEY=VALUE,KEY=VALUE" into out (at most max; pointing into store,
 * a copy of text); returns how many the text holds, which may be more
 * than max, or (size_t)-1 for an item without '='. */
size_t wiz_rules_parse_tags(const char *text, iam_tag *out, size_t max, char *store,
                            size_t store_len);
/* "KEY=VALUE,..." for tags (a saved state's). */
void wiz_rules_tags_text(const iam_tag *tags, size_t n, char *out, size_t len);
/* Adds the tags to o (the rest is set by wiz_connect_options); tags and
 * store hold them (store at least WIZ_RULES_TAGS_LEN). */
void wiz_rules_options(const wizard *w, connect_options *o, iam_tag *tags, size_t max, char *store,
                       size_t store_len);
/* One line for the panels: "Spot-Role, Spot-Policy; path /x/; boundary ...; 2 tags". */
void wiz_rules_summary(const wizard *w, char *out, size_t len);

#endif
