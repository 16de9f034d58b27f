/* The wizard's front end: one event loop on the UI thread, one panel per
 * step, the worker for every call. Panels never talk HTTP; they submit
 * jobs (src/wizard/jobs.h) and draw what comes back. */
#ifndef SC_UI_APP_H
#define SC_UI_APP_H

#include <curses.h>
#include <stddef.h>

#include "widgets/widgets.h"
#include "wizard/jobs.h"
#include "wizard/wizard.h"
#include "worker/worker.h"

#define APP_MIN_ROWS 24
#define APP_MIN_COLS 80
#define APP_MAX_PROGRESS 64

/* What a panel's key handler did with a key. */
enum { PK_UNUSED = 0, PK_USED, PK_NEXT, PK_BACK };

typedef struct app app;

typedef struct panel_ops {
    void (*enter)(app *a); /* shown (again): start jobs */
    void (*draw)(app *a, WINDOW *w, ui_rect body);
    int (*key)(app *a, int key);
    void (*done)(app *a, const worker_event *ev); /* a job of this panel ended */
    const char *help;
} panel_ops;

/* The items the copy pane offers. */
typedef enum copy_item {
    COPY_POLICY,
    COPY_PRINCIPAL,
    COPY_EXTERNAL_ID,
    COPY_ROLE_ARN,
    COPY__N
} copy_item;

struct app {
    wizard wz;
    wiz_settings settings;
    worker *worker;
    int job;                      /* the running job's id, 0 when none */
    double job_start;             /* for the elapsed time */
    int read_ahead;               /* the read-ahead job's id, 0 when none runs */
    char read_ahead_problem[600]; /* why the last read-ahead failed, "" when it did not */
    char progress[APP_MAX_PROGRESS][256];
    int nprogress;
    char status[512]; /* the status line */
    int status_error;
    wiz_detected detected;
    int have_detected;
    wiz_accounts accounts;
    wiz_connect_result result;
    int have_result;
    /* widgets, owned by the panels that use them */
    choicelist list;
    choice_item items[64];
    textfield field[3];
    int focus; /* which widget of the panel has the keys */
    textpane policy;
    copy_item copy_focus;
    char *copy_text[COPY__N];
    /* A policy over IAM's size limit is several documents (doc/policy_split.h):
     * item COPY_POLICY is then one item per part, named as IAM must name them. */
    char **policy_parts; /* pretty text of each part; NULL when not split */
    size_t npolicy_parts;
    size_t policy_part; /* the part shown when COPY_POLICY has the focus */
    char state_file[1024];
    char log_file[1024];
    int quit_asked;
    int pasting; /* between ESC[200~ and ESC[201~: a newline is text */
    int quit;
    int redraw; /* a full repaint is scheduled */
    int rows, cols;
    int spinner;
    int verified;        /* the AWS login panel checked the chosen credentials */
    int partition_wrong; /* ... and found them in another partition than the one chosen */
    wiz_step resume_to;  /* resume waits for a typed token, then goes there */
    int help_open;       /* the help overlay has the keys */
    int help_cols;       /* the width it was wrapped for */
    textpane help;
    textpane details;      /* the status message whole (details.h) */
    int details_open;      /* the details view has the keys */
    int details_cols;      /* the width it was wrapped for */
    char copy_saved[4096]; /* where the copy pane's last copy was saved */
    char fix_code[64];     /* a failed role check shown on Connect (fixback.h) */
    char fix_reason[512];
    char fix_arn[2100];
    int rotate_asked; /* the Spot step waits for y/n to rotate the External ID */
    int rules_open;   /* the Options form (rules_form.h) has the keys */
    int rules_focus;
    textfield rules_field[5];
    int updating; /* the Welcome's u: an update job is running */
    int updated;  /* ... and has ended: update_text says what changed */
    char update_text[1400];
};

/* Runs the wizard; returns the process exit status. */
int app_run(const wiz_settings *s, int no_color, int ascii);

/* For panels. */
void app_set_status(app *a, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void app_progress(app *a, const char *line);
int app_busy(const app *a);
void app_start_job(app *a, int job_id);
/* While the operator reads a panel, the reads the coming panels need
 * (the automatic method's; never beside another job). */
void app_read_ahead(app *a);
void app_set_copy(app *a, copy_item item, const char *text);
/* The policy as parts (n > 1: split; each is pretty text); part 0 becomes
 * COPY_POLICY's text. */
void app_set_policy_parts(app *a, char **parts, size_t n);
/* The number the copy pane shows (and keys choose) for an item; with a split
 * policy, items after the policy move up by the extra parts. */
int app_copy_number(const app *a, copy_item item);
/* The copy pane's name of policy part i: Spot-Policy, Spot-Policy-2, ... */
void app_part_name(size_t i, char *out, size_t len);
/* Draws the copy pane (item tabs, the item, keys) into r. */
void app_draw_copy(app *a, WINDOW *w, ui_rect r);
/* c copies, p prints plainly, digits (or Tab) choose the item, Up/Down
 * scroll. */
int app_copy_key(app *a, int key);
/* Jumps to a panel (resume) and enters it. */
void app_goto(app *a, wiz_step s);
const panel_ops *panel_for(wiz_step s);

#endif
