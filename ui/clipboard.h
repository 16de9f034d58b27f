/* Copy to clipboard, the way that works over SSH (reference tui.md §3).
 *
 * No curses here: the wizard calls clip_copy() right after doupdate() with
 * the terminal's fd, and the escape sequences go straight to it; the screen
 * is unchanged. Every route is fire-and-forget, so the result says what was
 * SENT, never that it arrived. The item is always saved to a file too, as
 * the route that cannot silently fail. */
#ifndef SC_UI_CLIPBOARD_H
#define SC_UI_CLIPBOARD_H

#include <stddef.h>

/* Above this much text the terminal routes are skipped (terminals and
 * hterm cap OSC 52 near 100 000 base64 characters); the file remains. */
#define CLIP_MAX_TERMINAL ((size_t)74 * 1024)
/* GNU screen passes DCS strings of at most 768 bytes (256/512 in older
 * versions); each chunk, ESC P and ESC \ included, stays within this. */
#define CLIP_SCREEN_CHUNK 768
/* A helper (tmux, xclip, ...) that has not finished by then is killed. */
#define CLIP_TOOL_TIMEOUT_MS 2000

/* Where we are, read once from the environment by clip_env_detect(). The
 * strings point into the environment (or the caller's storage) and are not
 * copied; NULL or "" means unset. */
typedef struct clip_env {
    int tty_fd;                  /* the terminal (given to newterm); -1: none */
    const char *tmux;            /* $TMUX: inside tmux */
    const char *sty;             /* $STY: inside GNU screen */
    int over_ssh;                /* SSH_CONNECTION, SSH_TTY or SSH_CLIENT set */
    const char *display;         /* $DISPLAY */
    const char *wayland_display; /* $WAYLAND_DISPLAY */
    const char *path;            /* $PATH, to find tmux and local tools */
    const char *file_dir;        /* where the saved copy goes, e.g.
                                    $XDG_STATE_HOME/spot-connect */
} clip_env;

void clip_env_detect(clip_env *e, int tty_fd, const char *file_dir);

typedef struct clip_result {
    int osc52;         /* an OSC 52 was written to the terminal (any wrapping) */
    int tmux_buffer;   /* `tmux load-buffer` accepted the text */
    int screen_dcs;    /* the OSC 52 went in GNU screen DCS chunks */
    int local_tool;    /* a local clipboard tool accepted the text */
    char tool[32];     /* its name, e.g. "xclip" */
    char file[4096];   /* the saved copy's path; "" if saving failed */
    int too_big;       /* over CLIP_MAX_TERMINAL: file only */
    char message[256]; /* status line: what was sent and how, and the path */
} clip_result;

/* Sends text (len bytes) by every route that fits the environment and
 * saves it as file_dir/file_name (mode 0600, directory 0700). label names
 * the item in the message ("policy", "external ID"); file_name is a plain
 * base name ("spot-policy.json"); NULL, or a name with '/' or a leading
 * dot, is replaced by the label made safe + ".txt" ("external-id.txt").
 * The text itself is never printed or logged anywhere else. Returns 0 when
 * at least one route was taken or the file saved, -1 when none; out is
 * filled either way. */
int clip_copy(const clip_env *e, const char *label, const char *file_name, const char *text,
              size_t len, clip_result *out);

/* The pieces, for tests. Each returns a malloc'd buffer (caller frees) of
 * *n bytes, or NULL when out of memory. */
char *clip_base64(const char *data, size_t len, size_t *n);
/* ESC ] 52 ; c ; <base64> ESC \ */
char *clip_osc52(const char *text, size_t len, size_t *n);
/* ESC P tmux; <the OSC 52 with every ESC doubled> ESC \ */
char *clip_osc52_tmux(const char *text, size_t len, size_t *n);
/* The OSC 52 (BEL-terminated, since ESC \ would end the DCS) cut into
 * ESC P <piece> ESC \ chunks of at most CLIP_SCREEN_CHUNK bytes. */
char *clip_osc52_screen(const char *text, size_t len, size_t *n);

#endif
