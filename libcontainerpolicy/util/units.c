/*
 * units.c - size and CPU parsing (see units.h). Numbers are read here, not with strtod, so the
 * host program's locale (a ',' decimal point) cannot change the result.
 */
#include "units.h"

#include <math.h>
#include <stddef.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* digits ["." digits]; with loose, also "1." and ".5" as Kubernetes allows. NULL when none. */
static const char *number(const char *s, int loose, double *v)
{
    double mant = 0;
    int nd = 0, nf = 0;
    while (is_digit(*s))
        mant = mant * 10 + (*s++ - '0'), nd++;
    if (*s == '.') {
        s++;
        while (is_digit(*s))
            mant = mant * 10 + (*s++ - '0'), nf++;
        if (nd + nf == 0 || (!loose && (nd == 0 || nf == 0)))
            return NULL;
    } else if (nd == 0) {
        return NULL;
    }
    *v = nf ? mant / pow(10, nf) : mant;
    return s;
}

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int finish(const char *s, double v, double *out)
{
    s = skip_space(s);
    if (*s != '\0' || !isfinite(v) || v < 0)
        return -1;
    *out = v;
    return 0;
}

static int parse_docker(const char *s, double *out)
{
    double v;
    s = number(s, 0, &v);
    if (!s)
        return -1;
    if (*s == ' ')
        s++; /* "512 m" is accepted by Docker */
    static const char units[] = "kmgtp";
    int c = lower(*s);
    for (int i = 0; units[i]; i++) {
        if (c == units[i]) {
            v *= pow(1024, i + 1);
            s++;
            break;
        }
    }
    if (lower(*s) == 'i')
        s++;
    if (lower(*s) == 'b')
        s++;
    return finish(s, v, out);
}

/* Kubernetes quantity: <signedNumber><suffix>. */
static int parse_quantity(const char *s, double *out)
{
    double v;
    if (*s == '+')
        s++;
    s = number(s, 1, &v);
    if (!s)
        return -1;
    static const struct {
        char sfx[3];
        double mul;
    } tab[] = {
        {"Ki", 1024.0}, {"Mi", 1048576.0}, {"Gi", 1073741824.0}, {"Ti", 1099511627776.0},
        {"Pi", 1125899906842624.0}, {"Ei", 1152921504606846976.0}, {"m", 1e-3}, {"k", 1e3},
        {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}, {"E", 1e18},
    };
    if ((*s == 'e' || *s == 'E') &&
        (is_digit(s[1]) || ((s[1] == '+' || s[1] == '-') && is_digit(s[2])))) {
        s++;
        int neg = *s == '-';
        if (*s == '+' || *s == '-')
            s++;
        long e = 0;
        while (is_digit(*s)) {
            if (e < 100000)
                e = e * 10 + (*s - '0');
            s++;
        }
        v *= pow(10, (double)(neg ? -e : e));
    } else {
        for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
            size_t n = tab[i].sfx[1] ? 2 : 1;
            if (s[0] == tab[i].sfx[0] && (n == 1 || s[1] == tab[i].sfx[1])) {
                v *= tab[i].mul;
                s += n;
                break;
            }
        }
    }
    return finish(s, v, out);
}

int units_parse_bytes(const char *s, int flavour, double *out)
{
    if (!s || !out)
        return -1;
    s = skip_space(s);
    return flavour == UNITS_K8S ? parse_quantity(s, out) : parse_docker(s, out);
}

int units_parse_cpu(const char *s, double *out)
{
    if (!s || !out)
        return -1;
    return parse_quantity(skip_space(s), out);
}
