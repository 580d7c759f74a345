/* baseline.c - the report's unsuppressed findings as a baseline file for
   cpol_engine_load_baseline() (engine/baseline.c reads it back). */
#include <string.h>

#include "../engine/report.h"
#include "../util/buf.h"

char *cpol_report_to_baseline(const cpol_report *r)
{
    if (!r)
        return NULL;
    buf b = BUF_INIT;
    buf_puts(&b, "{\n  \"cpol_baseline\": 1,\n  \"findings\": [");
    size_t k = 0;
    for (size_t i = 0; i < r->n; i++) {
        const finding_rec *fr = &r->findings[i];
        if (fr->f.suppressed || !fr->fingerprint)
            continue;
        buf_printf(&b, "%s\n    {\"fingerprint\": \"%s\", \"rule_id\": ", k++ ? "," : "",
                   fr->fingerprint);
        buf_json_string(&b, fr->f.rule_id, strlen(fr->f.rule_id));
        buf_puts(&b, ", \"file\": ");
        buf_json_string(&b, fr->f.file ? fr->f.file : "", strlen(fr->f.file ? fr->f.file : ""));
        buf_printf(&b, ", \"line\": %u}", fr->f.line);
    }
    buf_puts(&b, k ? "\n  ]\n}\n" : "]\n}\n");
    return buf_take(&b);
}
