#include "details.h"

#include <stdlib.h>

#include "theme.h"

#define KEY_ESC 27

static int status_width(const app *a)
{
    return a->cols - 2;
}

int details_more(const app *a)
{
    if (!a->status[0] || a->cols <= 2)
        return 0;
    ui_rect r = {.y = 0, .x = 0, .h = 1, .w = status_width(a)};
    return ui_wrap(NULL, r, A_NORMAL, a->status) > DETAILS_STATUS_ROWS;
}

static ui_rect view_box(const app *a)
{
    return (ui_rect){.y = 2, .x = 2, .h = a->rows - 4, .w = a->cols - 4};
}

static void build(app *a)
{
    char *wrapped = textpane_wrap(a->status, view_box(a).w - 4, 0);
    textpane_set(&a->details, wrapped, 0, 0);
    a->details_cols = a->cols;
    free(wrapped);
}

void details_open(app *a)
{
    a->details_open = 1;
    build(a);
}

void details_draw(app *a)
{
    if (!a->details_open)
        return;
    if (a->details_cols != a->cols)
        build(a); /* resized: wrap again */
    ui_rect box = view_box(a);
    ui_clear(stdscr, box, theme_attr(UI_NORMAL));
    ui_box(stdscr, box, a->status_error ? "Details of the error" : "Details");
    textpane_draw(&a->details, stdscr,
                  (ui_rect){.y = box.y + 1, .x = box.x + 2, .h = box.h - 2, .w = box.w - 4}, 1);
}

void details_key(app *a, int key)
{
    if (key == KEY_ESC || key == 'q' || key == 'Q' || key == 'd' || key == KEY_F(2)) {
        a->details_open = 0;
        return;
    }
    textpane_key(&a->details, key, a->rows - 6 > 1 ? a->rows - 6 : 1);
}
