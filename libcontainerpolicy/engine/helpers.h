/*
 * helpers.h - the C functions that rules see in the `cpol` module: image references, sizes and
 * CPUs, secret detection, entropy, globs, split. The sandbox makes the table and adds cpol.log and
 * cpol.options; this only fills in the rest. Every function is bounded in time on any input.
 */
#ifndef CPOL_HELPERS_H
#define CPOL_HELPERS_H

#include <lua.h>

/* Set the helper functions in the table at the top of the stack.  [-0, +0, m] */
void helpers_register(lua_State *L);

#endif
