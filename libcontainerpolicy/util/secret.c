/*
 * secret.c - secret detection (see secret.h for the rules and why they are what they are). Every
 * scan is linear in its input with small constant factors: token runs are counted up to a cap and a
 * failed JWT candidate skips the run it examined.
 */
#include "secret.h"

#include <math.h>
#include <string.h>

/* ---- character helpers (ASCII only, locale-free) ---- */

static int is_lo(int c)
{
    return c >= 'a' && c <= 'z';
}
static int is_up(int c)
{
    return c >= 'A' && c <= 'Z';
}
static int is_dig(int c)
{
    return c >= '0' && c <= '9';
}
static int is_aln(int c)
{
    return is_lo(c) || is_up(c) || is_dig(c);
}
static int is_hex(int c)
{
    return is_dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static int to_up(int c)
{
    return is_lo(c) ? c - 32 : c;
}
static int is_b64url(int c)
{
    return is_aln(c) || c == '_' || c == '-';
}

/* Case-insensitive: s[0..n) equals lit. */
static int ieq(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n != l)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (to_up((unsigned char)s[i]) != to_up((unsigned char)lit[i]))
            return 0;
    return 1;
}
static int istarts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && ieq(s, l, lit);
}
static int iends(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && ieq(s + n - l, l, lit);
}
/* Case-sensitive prefix at s[0..n). */
static int starts(const char *s, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(s, lit, l) == 0;
}

static int contains_ci(const char *s, size_t n, const char *sub)
{
    size_t l = strlen(sub);
    for (size_t i = 0; i + l <= n; i++)
        if (ieq(s + i, l, sub))
            return 1;
    return 0;
}

/* Length of the run of characters accepted by ok() at s[0..n), counted up to cap + 1. */
static size_t run_len(const char *s, size_t n, int (*ok)(int), size_t cap)
{
    size_t i = 0;
    while (i < n && i <= cap && ok((unsigned char)s[i]))
        i++;
    return i;
}

double secret_entropy(const char *s, size_t len)
{
    if (!s || len == 0)
        return 0;
    size_t count[256] = {0};
    for (size_t i = 0; i < len; i++)
        count[(unsigned char)s[i]]++;
    double h = 0;
    for (int c = 0; c < 256; c++) {
        if (!count[c])
            continue;
        double p = (double)count[c] / (double)len;
        h -= p * log2(p);
    }
    return h;
}

/* ---- placeholders and references ---- */

static const char *const placeholder_words[] = {
    "changeme", "change_me", "change-me", "changeit", "password",  "passwd",      "secret",
    "token",    "example",   "dummy",     "test",     "testing",   "sample",      "placeholder",
    "redacted", "none",      "null",      "nil",      "undefined", "todo",        "tbd",
    "fixme",    "replaceme", "replace_me", "default", "value",     "empty",       NULL,
};

/* An obvious stand-in rather than a secret. */
static int is_placeholder(const char *v, size_t n)
{
    size_t alnum = 0, xs = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_aln((unsigned char)v[i])) {
            alnum++;
            xs += v[i] == 'x' || v[i] == 'X';
        }
    }
    if (alnum == 0 || alnum == xs)
        return 1;
    if ((v[0] == '<' && v[n - 1] == '>') || (v[0] == '[' && v[n - 1] == ']'))
        return 1;
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i] == '{' && v[i + 1] == '{')
            return 1; /* Helm/Jinja/Go template */
    if (istarts(v, n, "your") || iends(v, n, "_here") || iends(v, n, "-here"))
        return 1;
    if (istarts(v, n, "insert_") || istarts(v, n, "insert-") || istarts(v, n, "replace_") ||
        istarts(v, n, "replace-"))
        return 1;
    /* AWS documentation keys: AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY */
    if ((n >= 7 && memcmp(v + n - 7, "EXAMPLE", 7) == 0) ||
        (n >= 10 && memcmp(v + n - 10, "EXAMPLEKEY", 10) == 0))
        return 1;
    for (int i = 0; placeholder_words[i]; i++)
        if (ieq(v, n, placeholder_words[i]))
            return 1;
    return 0;
}

/* Holds $VAR, ${...}, $(...) ("$$" is compose's escaped '$'), or is %VAR% as a whole. */
static int has_reference(const char *v, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (v[i] != '$')
            continue;
        char c = v[i + 1];
        if (c == '$') {
            i++;
            continue;
        }
        if (c == '{' || c == '(' || c == '_' || is_lo(c) || is_up(c))
            return 1;
    }
    return n > 2 && v[0] == '%' && v[n - 1] == '%';
}

/* ---- known token formats ---- */

static int scheme_char(int c)
{
    return is_aln(c) || c == '+' || c == '.' || c == '-';
}

/* "scheme://user:pass@host" with a literal password, the "://" at v[i]. */
static int url_with_password(const char *v, size_t len, size_t i)
{
    size_t s = i;
    while (s > 0 && scheme_char((unsigned char)v[s - 1]))
        s--;
    if (s == i || !(is_lo(v[s]) || is_up(v[s])))
        return 0;
    size_t a = i + 3, e = a;
    while (e < len && !strchr("/?#\"'<> \t\r\n", v[e]) && v[e] != '\0')
        e++;
    size_t at = e;
    while (at > a && v[at - 1] != '@')
        at--;
    if (at == a)
        return 0; /* no '@' */
    size_t ui_end = at - 1; /* the '@' */
    const char *colon = memchr(v + a, ':', ui_end - a);
    if (!colon)
        return 0;
    const char *pw = colon + 1;
    size_t pl = (size_t)(v + ui_end - pw);
    const char *host = v + at;
    size_t hl = e - at;
    if (pl == 0 || hl == 0 || istarts(host, hl, "sha256:") || istarts(host, hl, "sha512:"))
        return 0; /* image@digest, not credentials */
    if (memchr(pw, '$', pl) || is_placeholder(pw, pl) || ieq(pw, pl, "pass") ||
        ieq(pw, pl, "pwd") || ieq(pw, pl, "pw"))
        return 0;
    return 1;
}

/* ---BEGIN <LABEL> PRIVATE KEY--- (also "... PRIVATE KEY BLOCK"), dashes at v[i]. */
static int private_key_block(const char *v, size_t len, size_t i)
{
    size_t j = i;
    while (j < len && v[j] == '-')
        j++;
    if (j - i < 3 || !starts(v + j, len - j, "BEGIN "))
        return 0;
    j += 6;
    size_t k = j;
    while (k < len && k - j < 80 && (is_up(v[k]) || is_dig(v[k]) || v[k] == ' '))
        k++;
    if (!starts(v + k, len - k, "---"))
        return 0;
    while (k > j && v[k - 1] == ' ')
        k--;
    return iends(v + j, k - j, "PRIVATE KEY") || iends(v + j, k - j, "PRIVATE KEY BLOCK");
}

/* A JWT at v[i] ("eyJ"): header.payload.signature with base64url parts. Sets *skip past what was
   examined when it fails, so a long run is looked at once. */
static int jwt(const char *v, size_t len, size_t i, size_t *skip)
{
    size_t h = 0;
    while (i + h < len && is_b64url((unsigned char)v[i + h]))
        h++;
    *skip = i + h;
    size_t p = i + h + 1;
    if (h < 10 || i + h >= len || v[i + h] != '.' || !starts(v + p, len - p, "eyJ"))
        return 0;
    size_t pl = 0;
    while (p + pl < len && is_b64url((unsigned char)v[p + pl]))
        pl++;
    return pl >= 10 && p + pl < len && v[p + pl] == '.';
}

const char *secret_check_value(const char *v, size_t len)
{
    if (!v)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        int boundary = i == 0 || !is_aln((unsigned char)v[i - 1]);
        const char *s = v + i;
        size_t n = len - i;
        if (c == ':' && starts(s, n, "://") && url_with_password(v, len, i))
            return "URL with a password";
        if (c == '-' && private_key_block(v, len, i))
            return "private key block";
        if (!boundary)
            continue;
        switch (c) {
        case 'A':
            if (starts(s, n, "AKIA") || starts(s, n, "ASIA") || starts(s, n, "ABIA") ||
                starts(s, n, "ACCA") || (starts(s, n, "A3T") && n > 3 && (is_up(s[3]) || is_dig(s[3])))) {
                size_t r = 4;
                while (r < n && r < 21 && (is_up(s[r]) || is_dig(s[r])))
                    r++;
                if (r == 20 && (n == 20 || !is_aln((unsigned char)s[20])) && !is_placeholder(s, 20))
                    return "AWS access key id";
            }
            if (starts(s, n, "AIza")) {
                size_t r = run_len(s + 4, n - 4, is_b64url, 35);
                if (r == 35)
                    return "Google API key";
            }
            break;
        case 'g':
            if (n > 4 && starts(s, n, "gh") && s[2] && strchr("pousr", s[2]) && s[3] == '_') {
                size_t r = run_len(s + 4, n - 4, is_aln, 251);
                if (r >= 36 && r <= 251)
                    return "GitHub token";
            }
            if (starts(s, n, "github_pat_") && run_len(s + 11, n - 11, is_b64url, 300) >= 50)
                return "GitHub token";
            if (starts(s, n, "glpat-") && run_len(s + 6, n - 6, is_b64url, 20) >= 20)
                return "GitLab token";
            break;
        case 'x':
            if (n > 5 && starts(s, n, "xox") && s[3] && strchr("abposr", s[3]) && s[4] == '-') {
                size_t r = 0, digits = 0;
                while (5 + r < n && r < 300 && (is_aln((unsigned char)s[5 + r]) || s[5 + r] == '-'))
                    digits += is_dig(s[5 + r]), r++;
                if (r >= 10 && digits > 0)
                    return "Slack token";
            }
            break;
        case 's':
        case 'r':
            if ((starts(s, n, "sk_live_") || starts(s, n, "rk_live_")) &&
                run_len(s + 8, n - 8, is_aln, 16) >= 16)
                return "Stripe live key";
            break;
        case 'n':
            if (starts(s, n, "npm_") && run_len(s + 4, n - 4, is_aln, 36) >= 36)
                return "npm token";
            break;
        case 'p':
            if (starts(s, n, "pypi-AgEI") && run_len(s + 5, n - 5, is_b64url, 50) >= 50)
                return "PyPI token";
            break;
        case 'e':
            if (starts(s, n, "eyJ")) {
                size_t skip;
                if (jwt(v, len, i, &skip))
                    return "JSON Web Token";
                if (skip > i + 1)
                    i = skip - 1;
            }
            break;
        default:
            break;
        }
    }
    return NULL;
}

/* ---- names ---- */

#define NAME_MAX_WORDS 32
#define NAME_WORD_LEN 40

typedef struct words {
    char w[NAME_MAX_WORDS][NAME_WORD_LEN + 1];
    int n;
} words;

/* Split on anything but letters and digits, and on camelCase ("apiKey", "APIKey"). */
static void split_name(const char *name, size_t len, words *out)
{
    out->n = 0;
    size_t wl = 0;
    int in_word = 0;
    if (len > 1024)
        len = 1024; /* no real name is longer; the bound keeps this cheap */
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)name[i];
        if (!is_aln(c)) {
            in_word = 0;
            continue;
        }
        int brk = 0;
        if (in_word && is_up(c)) {
            int p = (unsigned char)name[i - 1];
            int nx = i + 1 < len ? (unsigned char)name[i + 1] : 0;
            brk = is_lo(p) || is_dig(p) ? 1 : (is_up(p) && is_lo(nx));
        }
        if (!in_word || brk) {
            if (out->n == NAME_MAX_WORDS)
                return;
            out->n++;
            wl = 0;
            in_word = 1;
        }
        if (wl < NAME_WORD_LEN) {
            out->w[out->n - 1][wl++] = (char)to_up(c);
            out->w[out->n - 1][wl] = '\0';
        }
    }
}

static int has(const char *w, const char *sub)
{
    return strstr(w, sub) != NULL;
}

static int in_list(const char *w, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

/* Words that, last in a name, say the value is about the secret rather than the secret. */
static const char *const about_words[] = {
    "FILE", "FILES", "PATH", "DIR", "DIRECTORY", "FOLDER", "URL", "URI", "URLS", "HOST", "HOSTNAME",
    "PORT", "USER", "USERNAME", "LOGIN", "NAME", "ID", "IDS", "TTL", "EXPIRY", "EXPIRE", "EXPIRES",
    "EXPIRATION", "LIFETIME", "TIMEOUT", "LENGTH", "LEN", "SIZE", "ENABLED", "ENABLE", "DISABLED",
    "DISABLE", "TYPE", "HEADER", "FIELD", "VERSION", "MODE", "HASH", "CHECKSUM", "SHA", "SHA1",
    "SHA256", "SHA512", "MD5", "FINGERPRINT", "ALGORITHM", "ALG", "FORMAT", "PREFIX", "REF",
    "NAMESPACE", "ARN", "REGION", "ENDPOINT", "LOCATION", "PROVIDER", "BACKEND", "POLICY",
    "INTERVAL", "DURATION", "SECONDS", "MINUTES", "HOURS", "DAYS", "PERIOD", "COUNT", "LIMIT", "MAX",
    "MIN", "RETRIES", "REQUIRED", "KIND", "SOURCE", "STORE", "CMD", "COMMAND", "LABEL",
    "DESCRIPTION", "ROTATION", "STRENGTH", "ENCODING", "CHARSET", NULL,
};

static const char *const key_qualifiers[] = {
    "API", "ACCESS", "PRIVATE", "APP", "MASTER", "ENCRYPTION", "SIGNING", "LICENSE", "ACCOUNT",
    "SESSION", "AUTH", NULL,
};

static const char *const strong_compounds[] = {
    "APIKEY", "ACCESSKEY", "PRIVATEKEY", "APPKEY", "MASTERKEY", "ENCRYPTIONKEY", "SIGNINGKEY",
    "LICENSEKEY", "ACCOUNTKEY", "SESSIONKEY", "AUTHKEY", "CONNECTIONSTRING", "CONNSTR", "CREDS",
    "PWD", "PASS", "PW", NULL,
};

enum { NAME_PLAIN, NAME_WEAK, NAME_STRONG };

static int classify_name(const char *name)
{
    words ws;
    split_name(name, strlen(name), &ws);
    if (ws.n == 0)
        return NAME_PLAIN;
    const char *last = ws.w[ws.n - 1];
    if (in_list(last, about_words))
        return NAME_PLAIN;
    if (ws.n >= 2 && strcmp(last, "ID") == 0)
        return NAME_PLAIN;
    int weak = 0;
    for (int i = 0; i < ws.n; i++) {
        const char *w = ws.w[i];
        if (has(w, "PASSWORD") || has(w, "PASSWD") || has(w, "PASSPHRASE") ||
            (has(w, "SECRET") && !has(w, "SECRETARY")) || (has(w, "TOKEN") && !has(w, "TOKENIZ")) ||
            has(w, "CREDENTIAL") || in_list(w, strong_compounds))
            return NAME_STRONG;
        if (i + 1 < ws.n && ((strcmp(ws.w[i + 1], "KEY") == 0 && in_list(w, key_qualifiers)) ||
                             (strcmp(w, "CONNECTION") == 0 && strcmp(ws.w[i + 1], "STRING") == 0)))
            return NAME_STRONG;
        size_t wl = strlen(w);
        if ((wl >= 3 && strcmp(w + wl - 3, "KEY") == 0) ||
            (has(w, "AUTH") && strcmp(w, "AUTHOR") != 0 && strcmp(w, "AUTHORS") != 0) ||
            has(w, "CRED") || has(w, "SIGNATURE") || has(w, "SALT") || has(w, "PRIVATE"))
            weak = 1;
    }
    return weak ? NAME_WEAK : NAME_PLAIN;
}

/* ---- values ---- */

static int is_boolean(const char *v, size_t n)
{
    static const char *const b[] = {"true", "false", "yes", "no", "on", "off", "y", "n", NULL};
    for (int i = 0; b[i]; i++)
        if (ieq(v, n, b[i]))
            return 1;
    return 0;
}

static int is_short_number(const char *v, size_t n)
{
    if (n >= 4)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!is_dig((unsigned char)v[i]))
            return 0;
    return 1;
}

static int is_abs_path(const char *v, size_t n)
{
    if (n < 2 || v[0] != '/')
        return 0;
    int letters = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)v[i];
        if (!(is_aln(c) || strchr("/._-~+@", c)) || c == '\0')
            return 0;
        letters += is_lo(c) || is_up(c);
    }
    return letters > 0;
}

static int is_plain_url(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && scheme_char((unsigned char)v[i]))
        i++;
    return i > 0 && (is_lo(v[0]) || is_up(v[0])) && starts(v + i, n - i, "://");
}

/* Hex digest or fingerprint (spaces allowed, as GPG prints them): public, not a secret. */
static int is_hex_digest(const char *v, size_t n)
{
    size_t hex = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_hex((unsigned char)v[i]))
            hex++;
        else if (v[i] != ' ')
            return 0;
    }
    return hex == 32 || hex == 40 || hex == 64 || hex == 96 || hex == 128;
}

static int high_entropy(const char *v, size_t n)
{
    if (n < 20 || is_hex_digest(v, n))
        return 0;
    int lo = 0, up = 0, dg = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)v[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            return 0; /* words, not key material */
        lo |= is_lo(c), up |= is_up(c), dg |= is_dig(c);
    }
    if (lo + up + dg < 2)
        return 0;
    return secret_entropy(v, n) >= 4.0;
}

const char *secret_check_assignment(const char *name, const char *value, size_t value_len)
{
    if (!value)
        return NULL;
    const char *v = value;
    size_t n = value_len;
    while (n > 0 && (v[0] == ' ' || v[0] == '\t'))
        v++, n--;
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
        v++, n -= 2;
    if (n == 0)
        return NULL;
    const char *known = secret_check_value(v, n);
    if (known)
        return known;
    if (has_reference(v, n) || is_placeholder(v, n) || is_boolean(v, n) || is_short_number(v, n) ||
        is_abs_path(v, n) || is_plain_url(v, n))
        return NULL;
    size_t nl = name ? strlen(name) : 0;
    if (nl >= 4 && nl <= 256 && contains_ci(v, n, name))
        return NULL; /* GOOGLE_API_KEY=GOOGLE_API_KEY_VAL: the value only echoes its name */
    switch (classify_name(name ? name : "")) {
    case NAME_STRONG:
        return "secret-like name with a literal value";
    case NAME_WEAK:
        return high_entropy(v, n) ? "high-entropy value" : NULL;
    default:
        return NULL;
    }
}

/* ---- paths ---- */

/* Case-insensitive: the path ends with the components in tail ("/.aws/credentials" or the whole). */
static int ends_with_components(const char *p, size_t n, const char *tail)
{
    size_t tl = strlen(tail);
    return iends(p, n, tail) && (n == tl || p[n - tl - 1] == '/');
}


/* A certificate, CA bundle, public or package-signing key, judged by the file's stem. */
static int looks_public(const char *stem, size_t n)
{
    static const char *const pub[] = {"cert", "crt", "chain", "bundle", "pub", "trust", "gpg",
                                      "pgp", "apt", "repo", "release", "signing", "archive",
                                      "keyring", "root", NULL};
    for (int i = 0; pub[i]; i++)
        if (contains_ci(stem, n, pub[i]))
            return 1;
    return ieq(stem, n, "ca") || istarts(stem, n, "ca-") || istarts(stem, n, "ca_") ||
           istarts(stem, n, "ca.") || contains_ci(stem, n, "-ca") || contains_ci(stem, n, "_ca") ||
           contains_ci(stem, n, ".ca");
}

const char *secret_check_path(const char *path)
{
    if (!path)
        return NULL;
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        n--;
    const char *base = path + n;
    while (base > path && base[-1] != '/')
        base--;
    size_t bl = (size_t)(path + n - base);
    if (bl == 0)
        return NULL;
    const char *dot = NULL; /* last '.' that is not the first character */
    for (size_t i = bl; i > 1; i--)
        if (base[i - 1] == '.') {
            dot = base + i - 1;
            break;
        }
    const char *ext = dot ? dot + 1 : base + bl;
    size_t el = (size_t)(base + bl - ext);
    size_t stem_len = dot ? (size_t)(dot - base) : bl;

    if (iends(base, bl, ".pub"))
        return NULL;
    if (ends_with_components(path, n, ".aws/credentials"))
        return "credentials file";
    if (ends_with_components(path, n, ".docker/config.json"))
        return "Docker credentials";
    if (ends_with_components(path, n, ".kube/config") || ieq(base, bl, "kubeconfig"))
        return "Kubernetes config";
    if (ieq(base, bl, ".ssh"))
        return "SSH directory";
    if (ieq(base, bl, ".aws"))
        return "AWS credentials directory";
    if (ieq(base, bl, ".gnupg"))
        return "GnuPG directory";
    if (ieq(base, bl, ".env"))
        return "dotenv file";
    if (istarts(base, bl, ".env.")) {
        static const char *const tmpl[] = {".example", ".sample", ".template", ".dist", ".tpl",
                                           ".tmpl", NULL};
        for (int i = 0; tmpl[i]; i++)
            if (iends(base, bl, tmpl[i]))
                return NULL;
        return "dotenv file";
    }
    static const char *const ssh_keys[] = {"id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
                                           "id_ecdsa_sk", "id_ed25519_sk", NULL};
    for (int i = 0; ssh_keys[i]; i++)
        if (ieq(base, bl, ssh_keys[i]))
            return "SSH private key";
    if (base - path >= 5 && ends_with_components(path, (size_t)(base - path - 1), ".ssh") &&
        !ieq(base, bl, "known_hosts") && !ieq(base, bl, "config") &&
        !ieq(base, bl, "authorized_keys"))
        return "SSH private key";
    if (ieq(ext, el, "ppk"))
        return "private key file";
    if (ieq(ext, el, "pem") || ieq(ext, el, "key")) {
        if (contains_ci(base, stem_len, "key") || contains_ci(base, stem_len, "priv") ||
            !looks_public(base, stem_len))
            return "private key file";
        return NULL;
    }
    if (ieq(ext, el, "p12") || ieq(ext, el, "pfx") || ieq(ext, el, "jks") ||
        ieq(ext, el, "keystore") || ieq(ext, el, "bks")) {
        if (contains_ci(base, stem_len, "trust") || contains_ci(base, stem_len, "cacerts"))
            return NULL;
        return "keystore";
    }
    static const char *const cred_files[] = {".npmrc", ".pypirc", ".netrc", "_netrc",
                                             ".git-credentials", ".pgpass", ".s3cfg",
                                             ".dockercfg", "credentials.json", ".my.cnf", ".boto",
                                             NULL};
    for (int i = 0; cred_files[i]; i++)
        if (ieq(base, bl, cred_files[i]))
            return "credentials file";
    if (ieq(ext, el, "json") && (istarts(base, bl, "client_secret") ||
                                 istarts(base, bl, "service-account") ||
                                 istarts(base, bl, "service_account")))
        return "credentials file";
    if (ieq(ext, el, "kdbx"))
        return "password database";
    if (ieq(base, bl, ".htpasswd"))
        return "htpasswd file";
    if (dot && (ieq(base, stem_len, "secrets") || ieq(base, stem_len, "secret"))) {
        static const char *const exts[] = {"yml", "yaml", "json", "env", "txt", "toml", "ini",
                                           NULL};
        for (int i = 0; exts[i]; i++)
            if (ieq(ext, el, exts[i]))
                return "secrets file";
    }
    if (ieq(base, bl, "terraform.tfvars") || iends(base, bl, ".auto.tfvars") ||
        ieq(ext, el, "tfstate"))
        return "Terraform variables or state";
    return NULL;
}
