/*
 * dump.h - the model tree as JSON, in exactly the shape rules see (docs/model.md): maps and
 * lists carry "pos" = {file, line, col} when written somewhere, and "field_pos" maps keys (or
 * 1-based list indexes) of scalar children to their positions. A node reached a second time (a
 * container's build or document) is printed as {"$ref": "builds[1]"}.
 */
#ifndef CPOL_DUMP_H
#define CPOL_DUMP_H

#include "../util/buf.h"
#include "node.h"

/* Append the JSON of n to b. indent < 0: compact; otherwise pretty with that starting depth. */
void model_dump_json(buf *b, const node *n, int pretty);

#endif
