/* The wizard's text fields as the input loop feeds them: one key at a
 * time, bracketed paste markers included. Each input byte is a key, except
 * that 0xF8-0xFF stand for the keys curses reports as codes (markers,
 * arrows, Backspace, Delete, Home, End), and 0xF7 sets a small limit.
 * After every key the field is whole: cursor within the text, length
 * within the limit, NUL-terminated, and the text holds no line break or
 * tab. Other control bytes a paste carries are kept (the field draws them
 * as \xNN, and the ARN check refuses them), so they are not checked. */
#include "fuzz.h"
#include "widgets/widgets.h"

static int key_of(uint8_t b)
{
    static const int codes[] = {UI_KEY_PASTE_BEGIN, UI_KEY_PASTE_END, KEY_LEFT, KEY_RIGHT,
                                KEY_BACKSPACE,      KEY_DC,           KEY_HOME, KEY_END};
    return b >= 0xF8 ? codes[b - 0xF8] : b;
}

static void check(const textfield *f, size_t max)
{
    if (f->cursor > f->len || f->len > max || (f->text && f->text[f->len] != '\0'))
        abort();
}

/* At the end of a paste and at the end: one line, no NUL inside (the text
 * would be cut short), tabs turned into blanks. */
static void check_text(const textfield *f)
{
    if (!f->text)
        return;
    if (strlen(f->text) != f->len)
        abort();
    for (size_t i = 0; i < f->len; i++)
        if (f->text[i] == '\r' || f->text[i] == '\n' || f->text[i] == '\t')
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    textfield f = {0};
    size_t i = 0;
    if (size && data[0] == 0xF7) {
        f.max = 8;
        i = 1;
    }
    size_t max = f.max ? f.max : 4096;
    textfield_set(&f, "arn:aws:iam::123456789012:role/x");
    for (; i < size; i++) {
        int in_paste = f.in_paste;
        int key = key_of(data[i]);
        (void)textfield_key(&f, key);
        check(&f, max);
        if (in_paste && key == UI_KEY_PASTE_END)
            check_text(&f);
    }
    textfield_trim(&f);
    check(&f, max);
    check_text(&f);
    textfield_free(&f);
    return 0;
}
