/* The helpers every step file shares (progress, dry-run plan, saving the
 * state): the steps and connect.c call these, never each other. */
#include "engine/engine.h"

#include <stdarg.h>

#include "util/buf.h"

void eng_progress(engine *e, const char *fmt, ...)
{
    buf_t b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    journal_note(e->j, "%s", buf_str(&b));
    if (e->h && e->h->progress)
        e->h->progress(e->h->ctx, buf_str(&b));
    buf_free(&b);
}

int eng_plan(engine *e, const char *service, const char *call, const char *body)
{
    if (!e->o->dry_run)
        return 0;
    if (e->h && e->h->planned)
        e->h->planned(e->h->ctx, service, call, body);
    return 1;
}

status_t eng_check_cancel(const engine *e, sc_error *err)
{
    if (e->o->cancel && *e->o->cancel)
        return error_set(err, ST_CANCELLED, "interrupted; the state is saved, run again to resume");
    return ST_OK;
}

status_t eng_reach(engine *e, state_step step, sc_error *err)
{
    if (step > e->st.step)
        e->st.step = step;
    status_t st = ST_OK;
    if (!e->o->dry_run) {
        journal_note(e->j, "step %s reached", state_step_name(step));
        st = state_save(&e->st, err);
    }
    if (st == ST_OK)
        st = eng_check_cancel(e, err);
    if (st == ST_OK && e->o->stop_after && step >= e->o->stop_after)
        st = ST_PAUSED;
    return st;
}

status_t eng_save(engine *e, sc_error *err)
{
    return e->o->dry_run ? ST_OK : state_save(&e->st, err);
}

void eng_claim_pending(state_item *it)
{
    if (it->pending) {
        it->created = 1;
        it->pending = 0;
    }
}
