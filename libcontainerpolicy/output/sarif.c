/* sarif.c - the report as SARIF 2.1.0 (placeholder until the SARIF writer lands). */
#include "../engine/report.h"

char *cpol_report_to_sarif(const cpol_report *r)
{
    (void)r;
    return NULL;
}
