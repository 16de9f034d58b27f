/* What an operator should do about an AWS or credential failure. */
#ifndef SC_AWS_HINTS_H
#define SC_AWS_HINTS_H

#include "util/error.h"

/* A short imperative sentence, or NULL when there is nothing useful to add. */
const char *aws_error_hint(const sc_error *err);

#endif
