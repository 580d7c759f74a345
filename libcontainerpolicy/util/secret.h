/*
 * secret.h - secret detection for rule CP006 and the cpol.secret* helpers: literal secrets in
 * ENV/ARG, compose environment, Kubernetes env values, docker run -e and OCI process.env, and secret
 * files copied into images. False positives cost users, so every test is precise: known token
 * formats, secret-like names with real literal values, and high entropy only where a name hints at
 * key material. All functions read only their arguments (no state) and return static strings.
 */
#ifndef CPOL_SECRET_H
#define CPOL_SECRET_H

#include <stddef.h>

/*
 * A name/value assignment (ENV, ARG, compose environment, k8s env value, docker run -e).
 * Returns NULL when not a secret, else a static short reason: one of secret_check_value()'s, or
 * "secret-like name with a literal value", or "high-entropy value".
 *
 * The name is secret-like when one of its words (split on _ . - space and camelCase, any case)
 * holds PASSWORD/PASSWD/PASSPHRASE, SECRET, TOKEN, CREDENTIAL(S), or is PWD/PASS, or when two words
 * form API KEY, ACCESS KEY, PRIVATE KEY, APP KEY, MASTER KEY, ENCRYPTION KEY, SIGNING KEY,
 * LICENSE KEY, ACCOUNT KEY, SESSION KEY, AUTH KEY, CONNECTION STRING (also written as one word);
 * weakly secret-like when a word is or ends in KEY, or holds AUTH, CRED, SIGNATURE, SALT, PRIVATE.
 * Neither when the last word says the value is about the secret, not the secret: FILE PATH DIR URL
 * URI HOST PORT USER USERNAME NAME ID TTL EXPIRY TIMEOUT LENGTH SIZE ENABLED TYPE HEADER FIELD
 * VERSION MODE HASH ... (see secret.c), or the name ends in KEY_ID.
 *
 * The value (surrounding quotes and spaces dropped) is judged as follows:
 * - a known token format anywhere in it (secret_check_value) is a secret under any name;
 * - a value holding a reference ($VAR, ${VAR}, ${VAR:-default}, $(cmd), %VAR%) is not, unless the
 *   known-format check found one (a plain default such as ${DB_PASSWORD:-postgres} is not reported);
 * - placeholders are not secrets: empty, no letter or digit ("***", "..."), only x/X
 *   ("xxxx-xxxx"), <...>, [...], {{...}}, values starting with "your" or ending in "_here"/"-here",
 *   AWS documentation keys ending in EXAMPLE, and (any case) changeme change_me change-me changeit
 *   password passwd secret token example dummy test testing sample placeholder redacted none null
 *   nil undefined todo tbd fixme replaceme replace_me default value empty;
 * - booleans (true false yes no on off), numbers of fewer than 4 digits, absolute paths
 *   ("/run/secrets/db-password") and URLs without a password are not secrets;
 * - otherwise a secret-like name makes any remaining literal a secret (ENV DATABASE_PASSWORD=
 *   supersecret123 is one), and a weakly secret-like name does when the value has >= 20 chars,
 *   entropy >= 4.0 bits per char and at least two of lower/upper/digit, and is not a hex digest or
 *   fingerprint (32/40/64/96/128 hex digits, spaces allowed: checksums and GPG keys are public).
 */
const char *secret_check_assignment(const char *name, const char *value, size_t value_len);

/*
 * A value alone: known token formats only, found anywhere in the value at a word boundary.
 * Reasons: "AWS access key id" (AKIA/ASIA/ABIA/ACCA/A3T* + 16), "GitHub token" (ghp_ gho_ ghu_
 * ghs_ ghr_ github_pat_), "GitLab token" (glpat-), "Slack token" (xox[abposr]-), "Stripe live key"
 * (sk_live_ rk_live_), "Google API key" (AIza + 35), "private key block" (---BEGIN ... PRIVATE
 * KEY---), "npm token" (npm_ + 36), "PyPI token" (pypi-AgEI...), "JSON Web Token" (eyJ.eyJ.sig),
 * "URL with a password" (scheme://user:pass@host, where pass is a literal and not a placeholder).
 * NULL when none.
 */
const char *secret_check_value(const char *value, size_t len);

/*
 * A file path that looks like a secret when copied into an image (directory part ignored except for
 * .aws/ .docker/ .kube/ .ssh/). Reasons: "dotenv file" (.env, .env.* but not .env.example .sample
 * .template .dist .tpl), "SSH private key" (id_rsa id_dsa id_ecdsa id_ed25519 and *_sk, not .pub),
 * "SSH directory" / "AWS credentials directory" / "GnuPG directory" (.ssh .aws .gnupg themselves),
 * "private key file" (*.pem *.key *.ppk that are not certificates or public/apt keys by name),
 * "keystore" (*.p12 *.pfx *.jks *.keystore, not trust stores), "credentials file" (.npmrc .pypirc
 * .netrc _netrc .git-credentials .pgpass .s3cfg .dockercfg credentials.json .aws/credentials
 * client_secret*.json), "Docker credentials" (.docker/config.json), "Kubernetes config"
 * (.kube/config, kubeconfig), "password database" (*.kdbx), "htpasswd file" (.htpasswd),
 * "secrets file" (secrets.yml/.yaml/.json/.env, secret.*), "Terraform variables or state"
 * (terraform.tfvars, *.auto.tfvars, terraform.tfstate). NULL otherwise.
 */
const char *secret_check_path(const char *path);

/* Shannon entropy of the bytes s[0..len) in bits per character; 0 for len 0. */
double secret_entropy(const char *s, size_t len);

#endif
