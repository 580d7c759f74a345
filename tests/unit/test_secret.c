/* test_secret.c - secret detection: names, values, token formats, paths, entropy; and the corpus
   check that the docker-library and nginx Dockerfiles' ENV/ARG lines yield no secret at all. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "util/secret.h"

static const char *assign(const char *name, const char *value)
{
    return secret_check_assignment(name, value, strlen(value));
}

#define HIT(name, value, reason) check_assign(name, value, reason, __LINE__)
#define MISS(name, value) check_assign(name, value, NULL, __LINE__)

static void check_assign(const char *name, const char *value, const char *want, int line)
{
    const char *got = assign(name, value);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        fail_msg("line %d: secret_check_assignment(%s, %s) = %s, want %s", line, name, value,
                 got ? got : "NULL", want ? want : "NULL");
}

static const char *LIT = "secret-like name with a literal value";
static const char *HIGH = "high-entropy value";

static void test_names_and_literals(void **state)
{
    (void)state;
    HIT("DATABASE_PASSWORD", "supersecret123", LIT); /* the hardening guide's example */
    HIT("password", "abc123", LIT);
    HIT("my_password", "abc123", LIT);
    HIT("DB_PASS", "hunter2", LIT);
    HIT("DB_PWD", "hunter2", LIT);
    HIT("WEBPASSWORD", "s3cr3t!", LIT);
    HIT("JWT_SECRET", "mysecret", LIT);
    HIT("clientSecret", "abcdef", LIT);
    HIT("GITHUB_TOKEN", "abc", LIT);
    HIT("apiKey", "k-123", LIT);
    HIT("API_KEY", "baz", LIT);
    HIT("AWS_SECRET_ACCESS_KEY", "aws\"12345+67890/abcdefghijklm+NOPQRSTUVWXYZ+", LIT);
    HIT("MINIO_ACCESS_KEY", "minio", LIT);
    HIT("SECRET_KEY_BASE", "0a1b2c", LIT);
    HIT("APP_KEY", "base64:aGVsbG8=", LIT);
    HIT("NEW_RELIC_LICENSE_KEY", "abc123abc", LIT);
    HIT("GOOGLE_APPLICATION_CREDENTIALS_JSON", "{\"type\": \"service_account\"}", LIT);
    HIT("VAULT_TOKEN", "root", LIT);
    HIT("POSTGRES_PASSWORD", "'postgres'", LIT);
    HIT("POSTGRES_PASSWORD", "\"mysecretpassword\"", LIT);
    HIT("MYSQL_ROOT_PASSWORD", "123456", LIT);
    HIT("SA_PASSWORD", "example_123", LIT);
    HIT("AWS_SECRET_ACCESS_KEY", "FAKE_TO_GENERATE_WARNING_OUTPUT", LIT);

    /* names about a secret, not the secret */
    MISS("POSTGRES_PASSWORD_FILE", "/run/secrets/db");
    MISS("MYSQL_ROOT_PASSWORD_FILE", "db-password.txt");
    MISS("TOKEN_TTL", "3600s");
    MISS("JWT_EXPIRY", "1h");
    MISS("PASSWORD_MIN_LENGTH", "12");
    MISS("SECRET_NAME", "app-secrets");
    MISS("AWS_ACCESS_KEY_ID", "minioadmin");
    MISS("SECRETS_DIR", "secrets");
    MISS("TOKEN_HEADER", "X-Auth-Token");
    MISS("AUTH_TOKEN_ENABLED", "maybe");
    MISS("PASSWORD_HASH", "$2y$10$abcdefghijklmnopqrstuv");
    MISS("TOKENIZERS_PARALLELISM", "false");
    MISS("PYTHON_SHA256", "272179ddd9a2e41a0fc8e42e33dfbdca0b3711aa5abf372d3f2d51543d09b625");
    MISS("GOLANG_VERSION", "1.27.0");
    MISS("greeting", "hello");
    MISS("SECRETARY_NAME", "Jane");

    /* values that are not literal secrets */
    MISS("DB_PASSWORD", "");
    MISS("DB_PASSWORD", "   ");
    MISS("DB_PASSWORD", "$DB_PASSWORD");
    MISS("DB_PASSWORD", "${DB_PASSWORD}");
    MISS("POSTGRES_PASSWORD", "${POSTGRES_PASSWORD:-postgres}");
    MISS("DATABASE_PASSWORD", "$(vault kv get -field=password secret/db)");
    MISS("WEBPASSWORD", "${PIHOLE_PW}");
    MISS("PASSWORD", "%DB_PASSWORD%");
    MISS("API_TOKEN", "<your-token>");
    MISS("API_TOKEN", "xxxx");
    MISS("API_TOKEN", "XXXX-XXXX-XXXX");
    MISS("API_TOKEN", "***");
    MISS("API_TOKEN", "changeme");
    MISS("API_TOKEN", "CHANGEME");
    MISS("DB_PASSWORD", "password");
    MISS("DB_PASSWORD", "yourpassword");
    MISS("DB_PASSWORD", "your_password_here");
    MISS("ETCD_DISCOVERY_TOKEN", "INSERT_ETCD_DISCOVERY_TOKEN");
    MISS("API_KEY", "{{ .Values.apiKey }}");
    MISS("API_KEY", "[API_KEY]");
    MISS("GOOGLE_API_KEY", "GOOGLE_API_KEY_VAL");
    MISS("DB_PASSWORD", "db_password");
    MISS("MYSQL_ALLOW_EMPTY_PASSWORD", "yes");
    MISS("MYSQL_RANDOM_ROOT_PASSWORD", "1");
    MISS("NO_PASSWORD", "true");
    MISS("DATABASE_PASSWORD", "/run/secrets/db-password");
    MISS("SECRET_STORE_ADDR", "https://vault.internal:8200");
    MISS("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
}

static void test_high_entropy_weak_names(void **state)
{
    (void)state;
    HIT("STRIPE_KEY", "q8Zt3LmR7vXp2WnK9sYb4HcJ", HIGH);
    HIT("SIGNATURE_SALT", "Zq8t3LmR7vX/p2WnK9sYb4Hc+J", HIGH);
    HIT("OCI_CLI_KEY_CONTENT", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", HIGH);
    /* GPG fingerprints and checksums are public */
    MISS("GPG_KEY", "97FC712E4C024BBEA48A61ED3A5CA953F73C700D");
    MISS("GPG_KEY", "A035 C8C1 9219 BA82 1ECE  A86B 64E6 28F8 D684 696D");
    MISS("SIGNING_KEY_SHA", "de6517421601e39a9a3bc3e1bc4c7b2f239297423ee05e282598c83ec0647505");
    MISS("RELEASE_KEY", "de6517421601e39a9a3bc3e1bc4c7b2f"); /* 32 hex: an md5-like digest */
    /* low entropy, too short, one character class, or words */
    MISS("CACHE_KEY", "aaaaaaaaaaaaaaaaaaaaaaaa");
    MISS("CACHE_KEY", "Ab3xY9");
    MISS("CACHE_KEY", "abcdefghijklmnopqrstuvwxyz");
    MISS("AUTH_MESSAGE", "Please Sign In To Continue Using 42 Apps");
    MISS("STRIPE_KEY_FILE", "q8Zt3LmR7vXp2WnK9sYb4HcJ");
    /* a plain name never makes a high-entropy value a secret */
    MISS("BUILD_ID", "q8Zt3LmR7vXp2WnK9sYb4HcJ");
    MISS("COMMIT", "q8Zt3LmR7vXp2WnK9sYb4HcJ");
}

static void value_is(const char *v, const char *want, int line)
{
    const char *got = secret_check_value(v, strlen(v));
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        fail_msg("line %d: secret_check_value(%s) = %s, want %s", line, v, got ? got : "NULL",
                 want ? want : "NULL");
}
#define VAL(v, want) value_is(v, want, __LINE__)

static void test_token_formats(void **state)
{
    (void)state;
    VAL("AKIAIOSFODNN7ABCDEFG", "AWS access key id");
    VAL("key=ASIAY34FZKBOKMUTVV7A;", "AWS access key id");
    VAL("A3TX1234567890ABCDEF", "AWS access key id");
    VAL("AKIAIOSFODNN7EXAMPLE", NULL); /* the documentation's example */
    VAL("AKIAIOSFODNN7ABCDEFGH", NULL); /* 21 characters */
    VAL("XAKIAIOSFODNN7ABCDEFG", NULL);
    VAL("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "GitHub token");
    VAL("Authorization: token gho_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "GitHub token");
    VAL("ghp_short", NULL);
    VAL("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
        "GitHub token");
    VAL("glpat-aBcDeFgHiJkLmNoPqRsT", "GitLab token");
    VAL("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "Slack token");
    VAL("xoxb-not-a-token", NULL);
    VAL("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "Stripe live key");
    VAL("sk_test_4eC39HqLyjWDarjtT1zdp7dc", NULL);
    VAL("AIzaSyA1234567890abcdefghijklmnopqrstuv", "Google API key");
    VAL("AIzaSyA1234567890abcdefghijklmnopqrstuvw", NULL); /* 36 after AIza */
    VAL("AIzaSyA123", NULL);
    VAL("npm_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "npm token");
    VAL("pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejEyMzQ1AAIqWzMsImFiYyJdAAAGIA",
        "PyPI token");
    VAL("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "JSON Web Token");
    VAL("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.notjwt.abc", NULL);
    VAL("-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----",
        "private key block");
    VAL("-----BEGIN OPENSSH PRIVATE KEY-----", "private key block");
    VAL("---BEGIN OPENSSH PRIVATE KEY---\nxxxxx\n---END  OPENSSH PRIVATE KEY---",
        "private key block");
    VAL("-----BEGIN PGP PRIVATE KEY BLOCK-----", "private key block");
    VAL("-----BEGIN PRIVATE KEY-----", "private key block");
    VAL("-----BEGIN CERTIFICATE-----", NULL);
    VAL("-----BEGIN PUBLIC KEY-----", NULL);
    VAL("postgres://app:s3cr3tP4ss@db:5432/app", "URL with a password");
    VAL("redis://:hunter22@cache:6379", "URL with a password");
    VAL("git+https://user:ghtoken123@github.com/org/repo", "URL with a password");
    VAL("postgres://app:${DB_PASSWORD}@db/app", NULL);
    VAL("postgres://user:password@db/app", NULL);
    VAL("postgres://user:pass@db/app", NULL);
    VAL("https://user@example.com/x", NULL);
    VAL("https://example.com/a:b@c", NULL);
    VAL("docker://alpine:3.19@sha256:abcdef", NULL);
    VAL("http://user:@host/", NULL);
    VAL("plain text without tokens", NULL);
    VAL("", NULL);
    assert_null(secret_check_value(NULL, 5));
    /* the name does not matter for a known format */
    HIT("NOTHING_SPECIAL", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "GitHub token");
    HIT("DATABASE_URL", "postgres://app:s3cr3tP4ss@db:5432/app", "URL with a password");
    MISS("DATABASE_URL", "postgres://db:5432/app");
    HIT("TOKEN", "${TOKEN:-ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789}", "GitHub token");
    /* NUL bytes and a long run of JWT-like text */
    const char nul[] = "x\0ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
    assert_string_equal(secret_check_value(nul, sizeof nul - 1), "GitHub token");
    size_t big = 1u << 20;
    char *s = malloc(big);
    for (size_t i = 0; i < big; i++)
        s[i] = "eyJ"[i % 3];
    assert_null(secret_check_value(s, big));
    assert_null(secret_check_assignment("PASSWORD_FILE", s, big));
    assert_string_equal(secret_check_assignment("PASSWORD", s, big), LIT);
    free(s);
}

static void path_is(const char *p, const char *want, int line)
{
    const char *got = secret_check_path(p);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        fail_msg("line %d: secret_check_path(%s) = %s, want %s", line, p, got ? got : "NULL",
                 want ? want : "NULL");
}
#define PATH(p, want) path_is(p, want, __LINE__)

static void test_paths(void **state)
{
    (void)state;
    PATH(".env", "dotenv file");
    PATH("/app/.env", "dotenv file");
    PATH(".env.production", "dotenv file");
    PATH("config/.env.local", "dotenv file");
    PATH(".env.example", NULL);
    PATH(".env.sample", NULL);
    PATH(".env.template", NULL);
    PATH(".env.dist", NULL);
    PATH(".envrc", NULL);
    PATH("environment.ts", NULL);
    PATH("id_rsa", "SSH private key");
    PATH("/root/.ssh/id_ed25519", "SSH private key");
    PATH("id_rsa.pub", NULL);
    PATH(".ssh/deploy_key", "SSH private key");
    PATH(".ssh/known_hosts", NULL);
    PATH(".ssh/config", NULL);
    PATH(".ssh", "SSH directory");
    PATH("/root/.ssh/", "SSH directory");
    PATH(".aws", "AWS credentials directory");
    PATH("server.key", "private key file");
    PATH("tls/privkey.pem", "private key file");
    PATH("key.pem", "private key file");
    PATH("server.pem", "private key file");
    PATH("cert.pem", NULL);
    PATH("fullchain.pem", NULL);
    PATH("ca.pem", NULL);
    PATH("rds-combined-ca-bundle.pem", NULL);
    PATH("nodesource.gpg.key", NULL);
    PATH("Release.key", NULL);
    PATH("putty.ppk", "private key file");
    PATH("keystore.jks", "keystore");
    PATH("client.p12", "keystore");
    PATH("app.keystore", "keystore");
    PATH("truststore.jks", NULL);
    PATH(".npmrc", "credentials file");
    PATH(".pypirc", "credentials file");
    PATH(".netrc", "credentials file");
    PATH(".git-credentials", "credentials file");
    PATH("home/.aws/credentials", "credentials file");
    PATH("credentials", NULL);
    PATH("credentials.json", "credentials file");
    PATH("client_secret_1234.apps.googleusercontent.com.json", "credentials file");
    PATH(".docker/config.json", "Docker credentials");
    PATH("config.json", NULL);
    PATH(".kube/config", "Kubernetes config");
    PATH("kubeconfig", "Kubernetes config");
    PATH("vault.kdbx", "password database");
    PATH(".htpasswd", "htpasswd file");
    PATH("secrets.yml", "secrets file");
    PATH("config/secrets.yaml", "secrets file");
    PATH("secrets.json", "secrets file");
    PATH("secrets", NULL);
    PATH("terraform.tfvars", "Terraform variables or state");
    PATH("prod.auto.tfvars", "Terraform variables or state");
    PATH("terraform.tfstate", "Terraform variables or state");
    PATH("main.go", NULL);
    PATH("package.json", NULL);
    PATH("", NULL);
    PATH("/", NULL);
    assert_null(secret_check_path(NULL));
}

static void test_entropy(void **state)
{
    (void)state;
    assert_true(secret_entropy("", 0) == 0);
    assert_true(secret_entropy("aaaa", 4) == 0);
    assert_true(secret_entropy("abab", 4) == 1);
    assert_true(secret_entropy("abcd", 4) == 2);
    double e = secret_entropy("0123456789abcdef", 16);
    assert_true(e > 3.999999 && e < 4.000001);
    assert_true(secret_entropy(NULL, 3) == 0);
}

/* ---- corpus: ENV/ARG lines of the official images ---- */

typedef struct corpus_stats {
    size_t files, assignments, hits;
    int quiet;
} corpus_stats;

static void trim(char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t'))
        (*s)++, (*n)--;
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\r'))
        (*n)--;
}

static void check_pair(const char *file, const char *name, size_t nl, const char *val, size_t vl,
                       corpus_stats *st)
{
    char nm[256];
    if (nl == 0 || nl >= sizeof nm)
        return;
    memcpy(nm, name, nl);
    nm[nl] = '\0';
    st->assignments++;
    const char *r = secret_check_assignment(nm, val, vl);
    if (r) {
        st->hits++;
        if (!st->quiet)
            print_message("secret in %s: %s=%.*s (%s)\n", file, nm, (int)vl, val, r);
    }
}

/* One ENV/ARG instruction's arguments: "name value" (legacy ENV) or name=value pairs with quotes. */
static void check_instruction(const char *file, char *args, size_t n, int is_env,
                              corpus_stats *st)
{
    trim(&args, &n);
    size_t i = 0;
    while (i < n && args[i] != ' ' && args[i] != '\t' && args[i] != '=')
        i++;
    if (i == n || args[i] != '=') {
        /* "ENV NAME value" (rest of the line) or "ARG NAME" without a default */
        char *v = args + i;
        size_t vl = n - i;
        trim(&v, &vl);
        if (is_env || vl == 0)
            check_pair(file, args, i, v, vl, st);
        return;
    }
    size_t p = 0;
    while (p < n) {
        while (p < n && (args[p] == ' ' || args[p] == '\t'))
            p++;
        size_t ns = p;
        while (p < n && args[p] != '=' && args[p] != ' ')
            p++;
        size_t nl = p - ns;
        if (p >= n || args[p] != '=') {
            check_pair(file, args + ns, nl, "", 0, st);
            continue;
        }
        p++;
        size_t vs = p;
        char q = 0;
        while (p < n && (q || (args[p] != ' ' && args[p] != '\t'))) {
            if (q && args[p] == q)
                q = 0;
            else if (!q && (args[p] == '"' || args[p] == '\''))
                q = args[p];
            else if (args[p] == '\\' && p + 1 < n)
                p++;
            p++;
        }
        check_pair(file, args + ns, nl, args + vs, p - vs, st);
    }
}

static void scan_dockerfile(const char *path, corpus_stats *st)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    st->files++;
    char line[8192], joined[65536];
    size_t jl = 0;
    while (fgets(line, sizeof line, f)) {
        size_t ll = strlen(line);
        while (ll > 0 && (line[ll - 1] == '\n' || line[ll - 1] == '\r'))
            line[--ll] = '\0';
        int cont = ll > 0 && line[ll - 1] == '\\';
        if (cont)
            line[--ll] = '\0';
        if (jl + ll + 1 < sizeof joined) {
            memcpy(joined + jl, line, ll);
            jl += ll;
            joined[jl++] = ' ';
        }
        if (cont)
            continue;
        joined[jl] = '\0';
        char *s = joined;
        while (*s == ' ' || *s == '\t')
            s++;
        int is_env = strncasecmp(s, "ENV", 3) == 0, is_arg = strncasecmp(s, "ARG", 3) == 0;
        if ((is_env || is_arg) && (s[3] == ' ' || s[3] == '\t'))
            check_instruction(path, s + 4, strlen(s + 4), is_env, st);
        jl = 0;
    }
    fclose(f);
}

static void walk(const char *dir, corpus_stats *st)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        struct stat sb;
        if (lstat(p, &sb) != 0)
            continue;
        if (S_ISDIR(sb.st_mode))
            walk(p, st);
        else if (S_ISREG(sb.st_mode) && strstr(de->d_name, "Dockerfile"))
            scan_dockerfile(p, st);
    }
    closedir(d);
}

static void test_corpus_official_images(void **state)
{
    (void)state;
    static const char *const dirs[] = {"docker-library-python", "docker-library-golang",
                                       "nginxinc-docker-nginx"};
    corpus_stats st = {0, 0, 0, 0};
    for (size_t i = 0; i < 3; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/dockerfile/%s", CPOL_CORPUS_DIR, dirs[i]);
        walk(p, &st);
    }
    print_message("corpus: %zu Dockerfiles, %zu ENV/ARG assignments checked, %zu secrets\n",
                  st.files, st.assignments, st.hits);
    if (st.files == 0)
        skip(); /* corpus not present beside this checkout */
    assert_true(st.assignments >= 300); /* the scan really read the files */
    assert_int_equal(st.hits, 0);
}

static void test_corpus_known_hits(void **state)
{
    (void)state;
    /* docker compose's own e2e fixture that exists to trigger a secret warning */
    char p[4096];
    snprintf(p, sizeof p, "%s/dockerfile/docker-compose/pkg/e2e/testdata/TestBuildLongOutputLine/"
             "Dockerfile", CPOL_CORPUS_DIR);
    corpus_stats st = {0, 0, 0, 1};
    scan_dockerfile(p, &st);
    if (st.files == 0)
        skip();
    /* 34 lines of ARG AWS_SECRET_ACCESS_KEY=FAKE_TO_GENERATE_WARNING_OUTPUT */
    assert_int_equal(st.assignments, 34);
    assert_int_equal(st.hits, 34);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_literals),
        cmocka_unit_test(test_high_entropy_weak_names),
        cmocka_unit_test(test_token_formats),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_entropy),
        cmocka_unit_test(test_corpus_official_images),
        cmocka_unit_test(test_corpus_known_hits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
