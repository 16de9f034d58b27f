/* Questions the command line asks on the terminal. */
#ifndef SC_PROMPT_H
#define SC_PROMPT_H

#include <stddef.h>

/* mfa_prompt_fn for aws_session_options: asks on the terminal, or reads one
 * line from standard input when it is not a terminal; -1 when neither gives
 * a code (no input), so non-interactive runs fail cleanly. */
int prompt_mfa_code(void *ctx, const char *serial, char *code, size_t code_len);

#endif
