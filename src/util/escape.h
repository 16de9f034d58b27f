/* Text from outside (typed, pasted, read from a file or an API answer)
 * made safe to show on a terminal: shown, never obeyed.
 *
 * The one rule, on stdout, stderr and the screen: valid printable UTF-8
 * stays as it is; a C0 control (0x00-0x1f), DEL (0x7f), a C1 control
 * (U+0080-U+009F) and each byte of invalid UTF-8 is shown as \xNN, two
 * lower-case hex digits of the byte or code point. ESC ] 52 ; ... BEL
 * shows as "\x1b]52;...\x07", and the terminal never sees the sequence.
 * A backslash stays as it is: the result is for reading, not parsing. */
#ifndef SC_ESCAPE_H
#define SC_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Appends s[0..len) to out, escaped; a line break is escaped too. */
void escape_text(buf_t *out, const char *s, size_t len);
/* The same, keeping '\n' (a multi-line document printed as it is). */
void escape_lines(buf_t *out, const char *s, size_t len);
/* s escaped as a new string ("" for NULL); the caller frees. */
char *escape_str(const char *s);
/* 1 when s[0..len) would be changed by escape_text. */
int escape_needed(const char *s, size_t len);

/* The length (1-4) of the well-formed UTF-8 character at s[0..len), with
 * its code point in *cp; 0 when s does not start one (a stray continuation
 * byte, an overlong form, a surrogate, past U+10FFFF, cut short). */
size_t escape_utf8_char(const char *s, size_t len, uint32_t *cp);
/* 1 for a code point the rule escapes: C0, DEL and C1 controls. */
int escape_is_control(uint32_t cp);

#endif
