/* lpat.c - string.find/match/gmatch/gsub for rules, with a step budget and a deadline check.
 * Part of the engine's sandbox: implements the pattern language of the Lua 5.4 manual (6.4.1) as a
 * backtracking matcher whose every step is counted, so a hostile pattern cannot stall a scan. */
#include "engine/lpat.h"

#include <lauxlib.h>
#include <limits.h>
#include <string.h>

/* 32 captures and 200 nested matcher calls are what stock Lua allows: rules behave the same. */
enum { LP_MAXCAP = 32, LP_MAXDEPTH = 200, LP_TICK = 4096 };
#define CAP_OPEN (-1)
#define CAP_POS (-2)

/* Character classes of the C locale, as bits, so results never depend on setlocale(). */
enum {
    CL_A = 1 << 0, CL_C = 1 << 1, CL_D = 1 << 2, CL_G = 1 << 3, CL_L = 1 << 4,
    CL_P = 1 << 5, CL_S = 1 << 6, CL_U = 1 << 7, CL_W = 1 << 8, CL_X = 1 << 9, CL_Z = 1 << 10
};
#define IS_LO(c) ((c) >= 'a' && (c) <= 'z')
#define IS_UP(c) ((c) >= 'A' && (c) <= 'Z')
#define IS_DG(c) ((c) >= '0' && (c) <= '9')
#define IS_AL(c) (IS_LO(c) || IS_UP(c))
#define IS_GR(c) ((c) > 0x20 && (c) < 0x7f)
#define IS_HX(c) (IS_DG(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define FLAGS(c)                                                                                   \
    ((IS_AL(c) ? CL_A : 0) | (((c) < 0x20 || (c) == 0x7f) ? CL_C : 0) | (IS_DG(c) ? CL_D : 0) |   \
     (IS_GR(c) ? CL_G : 0) | (IS_LO(c) ? CL_L : 0) |                                               \
     ((IS_GR(c) && !IS_AL(c) && !IS_DG(c)) ? CL_P : 0) |                                           \
     (((c) == ' ' || ((c) >= 9 && (c) <= 13)) ? CL_S : 0) | (IS_UP(c) ? CL_U : 0) |                \
     ((IS_AL(c) || IS_DG(c)) ? CL_W : 0) | (IS_HX(c) ? CL_X : 0) | ((c) == 0 ? CL_Z : 0))
#define ROW(b)                                                                                     \
    FLAGS(b), FLAGS(b + 1), FLAGS(b + 2), FLAGS(b + 3), FLAGS(b + 4), FLAGS(b + 5),              \
        FLAGS(b + 6), FLAGS(b + 7), FLAGS(b + 8), FLAGS(b + 9), FLAGS(b + 10), FLAGS(b + 11),      \
        FLAGS(b + 12), FLAGS(b + 13), FLAGS(b + 14), FLAGS(b + 15)
static const unsigned short ctype[256] = {
    ROW(0x00), ROW(0x10), ROW(0x20), ROW(0x30), ROW(0x40), ROW(0x50), ROW(0x60), ROW(0x70),
    /* bytes >= 0x80 belong to no class */
};

typedef struct mstate {
    const char *src, *send; /* whole subject: positions and %f look outside the attempt */
    const char *pend;
    lua_State *L;
    lpat_budget *b;
    unsigned long max, spent; /* spent counts whole chunks already charged */
    unsigned long chunk, ctr; /* steps left before the next tick, out of chunk */
    int depth, ncap;
    struct {
        const char *at;
        ptrdiff_t len; /* or CAP_OPEN / CAP_POS */
    } cap[LP_MAXCAP];
} mstate;

#define UC(c) ((unsigned char)(c))

static unsigned long used_steps(const mstate *m)
{
    return m->spent + (m->chunk - m->ctr);
}

static void refill(mstate *m)
{
    unsigned long rest = m->max - m->spent;
    m->chunk = rest < LP_TICK ? rest : LP_TICK;
    m->ctr = m->chunk;
}

/* Charge the chunk that just ran out; this is also where the deadline is polled. */
static void tick(mstate *m)
{
    lpat_budget *b = m->b;
    m->spent += m->chunk;
    m->chunk = m->ctr = 0;
    if (m->spent >= m->max) {
        b->last_steps = m->spent;
        luaL_error(m->L, "pattern step budget exceeded (%I steps)", (lua_Integer)b->max_steps);
    }
    if (b->expired && b->expired(b->ud)) {
        b->last_steps = m->spent;
        luaL_error(m->L, "rule deadline exceeded in pattern matching");
    }
    refill(m);
}

#define STEP(m)                                                                                    \
    do {                                                                                           \
        if ((m)->ctr == 0)                                                                         \
            tick(m);                                                                               \
        (m)->ctr--;                                                                                \
    } while (0)

static void charge(mstate *m, unsigned long n)
{
    while (n > 0) {
        unsigned long k;
        if (m->ctr == 0)
            tick(m);
        k = n < m->ctr ? n : m->ctr;
        m->ctr -= k;
        n -= k;
    }
}

static void mstate_init(mstate *m, lua_State *L, lpat_budget *b, const char *s, size_t ls,
                        const char *p, size_t lp)
{
    m->src = s;
    m->send = s + ls;
    m->pend = p + lp;
    m->L = L;
    m->b = b;
    m->max = b->max_steps ? b->max_steps : ULONG_MAX;
    m->spent = 0;
    refill(m);
    m->depth = LP_MAXDEPTH;
    m->ncap = 0;
}

static int class_match(int c, int cl)
{
    unsigned bit;
    switch (cl | 0x20) {
    case 'a': bit = CL_A; break;
    case 'c': bit = CL_C; break;
    case 'd': bit = CL_D; break;
    case 'g': bit = CL_G; break;
    case 'l': bit = CL_L; break;
    case 'p': bit = CL_P; break;
    case 's': bit = CL_S; break;
    case 'u': bit = CL_U; break;
    case 'w': bit = CL_W; break;
    case 'x': bit = CL_X; break;
    case 'z': bit = CL_Z; break; /* the NUL byte: deprecated, still in 5.4 */
    default: return c == cl; /* %. %] %q ... stand for the character itself */
    }
    /* an upper-case class letter is the complement */
    return ((ctype[c] & bit) != 0) == ((cl & 0x20) != 0);
}

/* p is at '[', close at its ']'; item_end() has checked the set is well formed. */
static int set_match(int c, const char *p, const char *close)
{
    int hit = 1;
    p++;
    if (*p == '^') {
        hit = 0;
        p++;
    }
    while (p < close) {
        if (*p == '%') {
            if (class_match(c, UC(p[1])))
                return hit;
            p += 2;
        } else if (p + 2 < close && p[1] == '-') {
            if (UC(p[0]) <= c && c <= UC(p[2]))
                return hit;
            p += 3;
        } else {
            if (UC(*p) == c)
                return hit;
            p++;
        }
    }
    return !hit;
}

/* End of the single-character item at p (after its ']' for a set). Errors surface here, lazily,
 * when the matcher first reaches the item: that is when stock Lua reports them too. */
static const char *item_end(mstate *m, const char *p)
{
    const char *q;
    if (*p == '%') {
        if (p + 1 == m->pend)
            luaL_error(m->L, "malformed pattern (ends with '%%')");
        return p + 2;
    }
    if (*p != '[')
        return p + 1;
    q = p + 1;
    if (q < m->pend && *q == '^')
        q++;
    for (;;) { /* the first member may be ']' itself */
        char c;
        if (q == m->pend)
            luaL_error(m->L, "malformed pattern (missing ']')");
        c = *q++;
        if (c == '%' && q < m->pend)
            q++;
        if (q < m->pend && *q == ']')
            return q + 1;
    }
}

static int single(int c, const char *p, const char *ep)
{
    switch (*p) {
    case '.': return 1;
    case '%': return class_match(c, UC(p[1]));
    case '[': return set_match(c, p, ep - 1);
    default: return UC(*p) == c;
    }
}

/* The byte an item at q must match first, or -1 when that is not a fixed byte or the item may
 * match nothing. Lets loops skip attempts that would fail on their first item. */
static int lead_byte(const char *q, const char *pend)
{
    int c;
    const char *after = q + 1;
    if (q >= pend)
        return -1;
    c = UC(*q);
    switch (c) {
    case '(': case ')': case '[': case '.':
        return -1;
    case '$':
        if (q + 1 == pend)
            return -1;
        break;
    case '%':
        if (q + 1 == pend)
            return -1;
        c = UC(q[1]);
        if (IS_AL(c) || IS_DG(c))
            return -1;
        after = q + 2;
        break;
    default:
        break;
    }
    if (after < pend && (*after == '*' || *after == '?' || *after == '-'))
        return -1;
    return c;
}

static const char *do_match(mstate *m, const char *s, const char *p);

/* Try rest at s unless its first byte already rules it out. */
static const char *try_rest(mstate *m, const char *s, const char *rest, int lead)
{
    if (lead >= 0 && (s == m->send || UC(*s) != lead))
        return NULL;
    return do_match(m, s, rest);
}

static const char *longest(mstate *m, const char *s, const char *p, const char *ep)
{
    const char *e = s, *rest = ep + 1, *r;
    int lead;
    for (;;) {
        STEP(m);
        if (e == m->send || !single(UC(*e), p, ep))
            break;
        e++;
    }
    if (rest == m->pend)
        return e;
    lead = lead_byte(rest, m->pend);
    for (;;) {
        if ((r = try_rest(m, e, rest, lead)) != NULL)
            return r;
        if (e == s)
            return NULL;
        e--;
    }
}

static const char *shortest(mstate *m, const char *s, const char *p, const char *ep)
{
    const char *rest = ep + 1, *r;
    int lead = lead_byte(rest, m->pend);
    for (;;) {
        if ((r = try_rest(m, s, rest, lead)) != NULL)
            return r;
        STEP(m);
        if (s == m->send || !single(UC(*s), p, ep))
            return NULL;
        s++;
    }
}

static const char *open_capture(mstate *m, const char *s, const char *p)
{
    ptrdiff_t kind = CAP_OPEN;
    const char *r;
    p++;
    if (p < m->pend && *p == ')') {
        kind = CAP_POS;
        p++;
    }
    if (m->ncap >= LP_MAXCAP)
        luaL_error(m->L, "too many captures");
    m->cap[m->ncap].at = s;
    m->cap[m->ncap].len = kind;
    m->ncap++;
    if ((r = do_match(m, s, p)) == NULL)
        m->ncap--;
    return r;
}

static const char *close_capture(mstate *m, const char *s, const char *p)
{
    int i = m->ncap - 1;
    const char *r;
    while (i >= 0 && m->cap[i].len != CAP_OPEN)
        i--;
    if (i < 0)
        luaL_error(m->L, "invalid pattern capture");
    m->cap[i].len = s - m->cap[i].at;
    if ((r = do_match(m, s, p)) == NULL)
        m->cap[i].len = CAP_OPEN;
    return r;
}

/* %bxy at p (p points past "%b"). */
static const char *balance(mstate *m, const char *s, const char *p)
{
    int open, close;
    long depth = 1;
    if (p + 1 >= m->pend)
        luaL_error(m->L, "malformed pattern (missing arguments to '%%b')");
    open = UC(p[0]);
    close = UC(p[1]);
    if (s == m->send || UC(*s) != open)
        return NULL;
    /* each scanned byte is a step: %b restarted at every position is quadratic */
    while (++s < m->send) {
        STEP(m);
        if (UC(*s) == close) {
            if (--depth == 0)
                return s + 1;
        } else if (UC(*s) == open) {
            depth++;
        }
    }
    return NULL;
}

static const char *back_reference(mstate *m, const char *s, int digit)
{
    int i = digit - '1';
    ptrdiff_t len;
    if (i < 0 || i >= m->ncap || m->cap[i].len == CAP_OPEN)
        luaL_error(m->L, "invalid capture index %%%d", i + 1);
    len = m->cap[i].len;
    if (len == CAP_POS) /* a position is not text: stock Lua never matches it either */
        return NULL;
    charge(m, (unsigned long)len / 16);
    if (m->send - s >= len && memcmp(s, m->cap[i].at, (size_t)len) == 0)
        return s + len;
    return NULL;
}

/* Match the pattern from p against the subject from s; the end of the match or NULL.
 * Recursion happens only where an alternative must be kept (captures, ?, *, +, -). */
static const char *do_match(mstate *m, const char *s, const char *p)
{
    if (m->depth == 0)
        luaL_error(m->L, "pattern too complex");
    m->depth--;
    for (;;) {
        const char *ep;
        int ok;
        STEP(m);
        if (p == m->pend)
            break;
        switch (*p) {
        case '(':
            s = open_capture(m, s, p);
            goto out;
        case ')':
            s = close_capture(m, s, p + 1);
            goto out;
        case '$':
            if (p + 1 == m->pend) {
                if (s != m->send)
                    s = NULL;
                goto out;
            }
            break;
        case '%':
            if (p + 1 == m->pend)
                break;
            if (p[1] == 'b') {
                if ((s = balance(m, s, p + 2)) == NULL)
                    goto out;
                p += 4;
                continue;
            }
            if (p[1] == 'f') {
                int prev, cur;
                p += 2;
                if (p == m->pend || *p != '[')
                    luaL_error(m->L, "missing '[' after '%%f' in pattern");
                ep = item_end(m, p);
                prev = s == m->src ? 0 : UC(s[-1]);
                cur = s == m->send ? 0 : UC(*s);
                if (set_match(prev, p, ep - 1) || !set_match(cur, p, ep - 1)) {
                    s = NULL;
                    goto out;
                }
                p = ep;
                continue;
            }
            if (IS_DG(p[1])) {
                if ((s = back_reference(m, s, UC(p[1]))) == NULL)
                    goto out;
                p += 2;
                continue;
            }
            break;
        default:
            break;
        }
        ep = item_end(m, p);
        ok = s < m->send && single(UC(*s), p, ep);
        switch (ep < m->pend ? *ep : '\0') {
        case '?':
            if (ok) {
                const char *r = try_rest(m, s + 1, ep + 1, lead_byte(ep + 1, m->pend));
                if (r) {
                    s = r;
                    goto out;
                }
            }
            p = ep + 1;
            continue;
        case '*':
            if (!ok) {
                p = ep + 1;
                continue;
            }
            s = longest(m, s, p, ep);
            goto out;
        case '+':
            s = ok ? longest(m, s + 1, p, ep) : NULL;
            goto out;
        case '-':
            if (!ok) {
                p = ep + 1;
                continue;
            }
            s = shortest(m, s, p, ep);
            goto out;
        default:
            if (!ok) {
                s = NULL;
                goto out;
            }
            s++;
            p = ep;
            continue;
        }
    }
out:
    m->depth++;
    return s;
}

/* Push capture i; with no captures at all, "capture 1" is the whole match s..e. */
static void push_capture(mstate *m, int i, const char *s, const char *e)
{
    if (i >= m->ncap) {
        if (i != 0)
            luaL_error(m->L, "invalid capture index %%%d", i + 1);
        lua_pushlstring(m->L, s, (size_t)(e - s));
        return;
    }
    if (m->cap[i].len == CAP_OPEN)
        luaL_error(m->L, "unfinished capture");
    if (m->cap[i].len == CAP_POS)
        lua_pushinteger(m->L, (lua_Integer)(m->cap[i].at - m->src) + 1);
    else
        lua_pushlstring(m->L, m->cap[i].at, (size_t)m->cap[i].len);
}

/* s == NULL: push the captures only (find); otherwise the whole match when there are none. */
static int push_captures(mstate *m, const char *s, const char *e)
{
    int i, n = (m->ncap == 0 && s) ? 1 : m->ncap;
    luaL_checkstack(m->L, n, "too many captures");
    for (i = 0; i < n; i++)
        push_capture(m, i, s, e);
    return n;
}

/* Position argument (1-based, negative from the end) clamped to 1 and beyond. */
static size_t from_index(lua_Integer pos, size_t len)
{
    if (pos > 0)
        return (size_t)pos;
    if (pos == 0 || pos < -(lua_Integer)len)
        return 1;
    return len - (size_t)(-(pos + 1));
}

/* Whether the pattern needs the matcher at all; `extra` adds bytes special to the caller. */
static int has_magic(const char *p, size_t lp, int extra)
{
    size_t i;
    for (i = 0; i < lp; i++) {
        switch (p[i]) {
        case '^': case '$': case '*': case '+': case '?': case '.': case '(': case '[': case '%':
        case '-':
            return 1;
        default:
            if (extra && p[i] == extra)
                return 1;
        }
    }
    return 0;
}

/* memmem is not in C11 or POSIX; each candidate is charged so a crafted needle stays bounded. */
static const char *plain_find(mstate *m, const char *s, const char *p, size_t lp)
{
    const char *end = m->send;
    if (lp == 0)
        return s;
    while ((size_t)(end - s) >= lp) {
        s = memchr(s, UC(*p), (size_t)(end - s) - lp + 1);
        if (!s)
            return NULL;
        charge(m, 1 + lp / 16);
        if (memcmp(s + 1, p + 1, lp - 1) == 0)
            return s;
        s++;
    }
    return NULL;
}

static lpat_budget *budget_of(lua_State *L)
{
    return (lpat_budget *)lua_touserdata(L, lua_upvalueindex(1));
}

static int find_or_match(lua_State *L, int find)
{
    lpat_budget *b = budget_of(L);
    size_t ls, lp, init;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    const char *s1, *e;
    int anchor, lead;
    mstate m;

    init = from_index(luaL_optinteger(L, 3, 1), ls);
    if (init > ls + 1) {
        luaL_pushfail(L);
        return 1;
    }
    s1 = s + init - 1;
    if ((find && lua_toboolean(L, 4)) || !has_magic(p, lp, find ? 0 : ')')) {
        mstate_init(&m, L, b, s, ls, p, lp);
        e = plain_find(&m, s1, p, lp);
        b->last_steps = used_steps(&m);
        if (!e) {
            luaL_pushfail(L);
            return 1;
        }
        if (!find) {
            lua_pushlstring(L, e, lp);
            return 1;
        }
        lua_pushinteger(L, (lua_Integer)(e - s) + 1);
        lua_pushinteger(L, (lua_Integer)(e - s + lp));
        return 2;
    }
    anchor = (*p == '^');
    if (anchor) {
        p++;
        lp--;
    }
    mstate_init(&m, L, b, s, ls, p, lp);
    lead = anchor ? -1 : lead_byte(p, m.pend);
    for (;;) {
        if (lead >= 0 && (s1 = memchr(s1, lead, (size_t)(m.send - s1))) == NULL)
            break;
        m.ncap = 0;
        m.depth = LP_MAXDEPTH;
        if ((e = do_match(&m, s1, p)) != NULL) {
            b->last_steps = used_steps(&m);
            if (!find)
                return push_captures(&m, s1, e);
            lua_pushinteger(L, (lua_Integer)(s1 - s) + 1);
            lua_pushinteger(L, (lua_Integer)(e - s));
            return push_captures(&m, NULL, NULL) + 2;
        }
        if (anchor || s1 == m.send)
            break;
        s1++;
    }
    b->last_steps = used_steps(&m);
    luaL_pushfail(L);
    return 1;
}

/* find(s, pattern [, init [, plain]]) -> start, end, captures... | nil.  [-(2|3|4), +(1|2+n), e] */
static int lpat_find(lua_State *L)
{
    return find_or_match(L, 1);
}

/* match(s, pattern [, init]) -> captures... | whole match | nil.  [-(2|3), +(1|n), e] */
static int lpat_match(lua_State *L)
{
    return find_or_match(L, 0);
}

typedef struct gmatch_state {
    size_t pos;  /* next start offset; past the end when done */
    size_t last; /* end offset of the previous match, SIZE_MAX before the first */
} gmatch_state;

/* The iterator: upvalues subject, pattern, state, budget.  [-0, +n, e] */
static int gmatch_next(lua_State *L)
{
    size_t ls, lp;
    const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
    const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
    gmatch_state *g = (gmatch_state *)lua_touserdata(L, lua_upvalueindex(3));
    lpat_budget *b = (lpat_budget *)lua_touserdata(L, lua_upvalueindex(4));
    const char *src, *e;
    int lead;
    mstate m;

    if (g->pos > ls)
        return 0;
    mstate_init(&m, L, b, s, ls, p, lp);
    /* no anchor here: a leading '^' is an ordinary byte, as in stock 5.4 */
    lead = lead_byte(p, m.pend);
    for (src = s + g->pos;; src++) {
        if (lead >= 0 && (src = memchr(src, lead, (size_t)(m.send - src))) == NULL)
            break;
        m.ncap = 0;
        m.depth = LP_MAXDEPTH;
        e = do_match(&m, src, p);
        if (e && (size_t)(e - s) != g->last) {
            g->pos = g->last = (size_t)(e - s);
            b->last_steps = used_steps(&m);
            return push_captures(&m, src, e);
        }
        if (src == m.send)
            break;
    }
    g->pos = ls + 1;
    b->last_steps = used_steps(&m);
    return 0;
}

/* gmatch(s, pattern [, init]) -> iterator.  [-(2|3), +1, e] */
static int lpat_gmatch(lua_State *L)
{
    lpat_budget *b = budget_of(L);
    size_t ls, lp, init;
    gmatch_state *g;

    luaL_checklstring(L, 1, &ls);
    luaL_checklstring(L, 2, &lp);
    init = from_index(luaL_optinteger(L, 3, 1), ls) - 1;
    lua_settop(L, 2);
    g = (gmatch_state *)lua_newuserdatauv(L, sizeof *g, 0);
    g->pos = init > ls ? ls + 1 : init;
    g->last = (size_t)-1;
    lua_pushlightuserdata(L, b);
    lua_pushcclosure(L, gmatch_next, 4);
    return 1;
}

static void add_template(mstate *m, luaL_Buffer *B, const char *s, const char *e, const char *r,
                         size_t rl)
{
    const char *end = r + rl, *q;
    while ((q = memchr(r, '%', (size_t)(end - r))) != NULL) {
        luaL_addlstring(B, r, (size_t)(q - r));
        q++;
        if (q < end && *q == '%') {
            luaL_addchar(B, '%');
        } else if (q < end && *q == '0') {
            luaL_addlstring(B, s, (size_t)(e - s));
        } else if (q < end && IS_DG(*q)) {
            push_capture(m, *q - '1', s, e);
            luaL_addvalue(B);
        } else {
            luaL_error(m->L, "invalid use of '%%' in replacement string");
        }
        r = q + 1;
    }
    luaL_addlstring(B, r, (size_t)(end - r));
}

static void add_replacement(mstate *m, luaL_Buffer *B, const char *s, const char *e, int kind)
{
    lua_State *L = m->L;
    if (kind == LUA_TFUNCTION) {
        int n;
        lua_pushvalue(L, 3);
        n = push_captures(m, s, e);
        lua_call(L, n, 1);
    } else if (kind == LUA_TTABLE) {
        push_capture(m, 0, s, e);
        lua_gettable(L, 3);
    } else {
        size_t rl;
        const char *r = lua_tolstring(L, 3, &rl);
        add_template(m, B, s, e, r, rl);
        return;
    }
    if (!lua_toboolean(L, -1)) { /* false or nil keeps the original text */
        lua_pop(L, 1);
        luaL_addlstring(B, s, (size_t)(e - s));
    } else if (!lua_isstring(L, -1)) {
        luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
    } else {
        luaL_addvalue(B);
    }
}

/* gsub(s, pattern, repl [, n]) -> string, count.  [-(3|4), +2, e] */
static int lpat_gsub(lua_State *L)
{
    lpat_budget *b = budget_of(L);
    size_t ls, lp;
    const char *s = luaL_checklstring(L, 1, &ls);
    const char *p = luaL_checklstring(L, 2, &lp);
    int kind = lua_type(L, 3);
    lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1), n = 0;
    const char *src = s, *last = NULL, *e;
    int anchor = (lp > 0 && *p == '^'), lead;
    luaL_Buffer B;
    mstate m;

    luaL_argexpected(L, kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION ||
                            kind == LUA_TTABLE,
                     3, "string/function/table");
    luaL_buffinit(L, &B);
    if (anchor) {
        p++;
        lp--;
    }
    mstate_init(&m, L, b, s, ls, p, lp);
    lead = anchor ? -1 : lead_byte(p, m.pend);
    while (n < max_n) {
        if (lead >= 0) {
            const char *next = memchr(src, lead, (size_t)(m.send - src));
            if (!next)
                break;
            luaL_addlstring(&B, src, (size_t)(next - src));
            src = next;
        }
        m.ncap = 0;
        m.depth = LP_MAXDEPTH;
        e = do_match(&m, src, p);
        if (e && e != last) {
            n++;
            add_replacement(&m, &B, src, e, kind);
            src = last = e;
        } else if (src < m.send) {
            luaL_addchar(&B, *src++);
        } else {
            break;
        }
        if (anchor)
            break;
    }
    b->last_steps = used_steps(&m);
    luaL_addlstring(&B, src, (size_t)(m.send - src));
    luaL_pushresult(&B);
    lua_pushinteger(L, n);
    return 2;
}

void lpat_register(lua_State *L, lpat_budget *b)
{
    static const luaL_Reg fns[] = {
        {"find", lpat_find},
        {"match", lpat_match},
        {"gmatch", lpat_gmatch},
        {"gsub", lpat_gsub},
        {NULL, NULL},
    };
    lua_pushlightuserdata(L, b);
    luaL_setfuncs(L, fns, 1);
}
