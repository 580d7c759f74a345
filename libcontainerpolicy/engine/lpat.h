/* lpat.h - interruptible Lua 5.4 pattern matching for the rule sandbox.
 * Stock string.find/match/gmatch/gsub cannot be stopped from a hook, so the sandbox installs these:
 * same pattern language and results, but every matcher step is counted against a budget. */
#ifndef CPOL_LPAT_H
#define CPOL_LPAT_H

#include <lua.h>

typedef struct lpat_budget {
    /* Steps allowed per call of find/match/gsub, or per gmatch iteration; 0 means no limit
     * (the expired callback still runs). Exceeding it raises
     * "pattern step budget exceeded (N steps)". */
    unsigned long max_steps;
    /* Called every 4096 steps; a nonzero return raises
     * "rule deadline exceeded in pattern matching". May be NULL. */
    int (*expired)(void *ud);
    void *ud;
    unsigned long last_steps; /* steps used by the most recent call (for tests/benchmarks) */
} lpat_budget;

/* Set find, match, gmatch and gsub in the table at the top of the stack; each closure carries `b`
 * as a light userdata upvalue, so b must outlive the lua_State's use of these functions.
 * Matching recursion is bounded ("pattern too complex"), as are captures (32).
 * [-0, +0, m] */
void lpat_register(lua_State *L, lpat_budget *b);

#endif
