/*
 * units.h - sizes and CPU amounts as compose, docker run and Kubernetes write them, turned into
 * bytes and cores for the model's resources (rule CP007) and for cpol.parse_bytes/parse_cpu.
 */
#ifndef CPOL_UNITS_H
#define CPOL_UNITS_H

enum {
    UNITS_DOCKER = 0, /* compose mem_limit/memory, docker --memory: b k m g t p, binary, any case */
    UNITS_K8S = 1     /* Kubernetes quantity: Ki..Ei binary, k M G T P E decimal, m = milli */
};

/*
 * Parse a size. UNITS_DOCKER follows Docker's RAMInBytes: a decimal number, an optional space, and
 * an optional unit letter b/k/m/g/t/p in any case, optionally followed by "i" and/or "b"
 * ("512m", "1.5G", "1kb", "2 GiB"); every multiple is binary (m = MiB). UNITS_K8S follows the
 * Kubernetes quantity grammar: number ("1", "1.5", "1.", ".5"), then a binary suffix Ki Mi Gi Ti Pi
 * Ei, a decimal one m k M G T P E (m = 1/1000!), or an exponent e/E with a signed integer ("2e3").
 * Surrounding spaces are ignored. Negative, infinite or NaN results are bad input.
 * @return 0 and *out in bytes, or -1 on bad input (*out untouched).
 */
int units_parse_bytes(const char *s, int flavour, double *out);

/*
 * Parse a CPU amount: a Kubernetes quantity ("500m" = 0.5, "2", "1.5", "1e0") or docker --cpus /
 * compose cpus ("1.0", "0.5").
 * @return 0 and *out in cores, or -1 on bad input.
 */
int units_parse_cpu(const char *s, double *out);

#endif
