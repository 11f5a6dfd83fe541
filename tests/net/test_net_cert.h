/* test_net_cert.h: helpers for the net tests: scratch directories, shell commands, and
 * self-signed certificates made with OpenSSL's API (any key type and signature hash), so the
 * TLS and channel-binding tests need no files from the repository. */
#ifndef TEST_NET_CERT_H
#define TEST_NET_CERT_H

#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* ---- scratch directories and commands ---- */

/* Creates /tmp/dbtest-<what>-XXXXXX into dir (at least 64 bytes). */
static inline bool test_tmpdir_make(char *dir, size_t cap, const char *what) {
    snprintf(dir, cap, "/tmp/dbtest-%s-XXXXXX", what);
    return mkdtemp(dir) != NULL;
}

static inline int test_tmpdir_remove_one(const char *path, const struct stat *st, int flag,
                                         struct FTW *ftw) {
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static inline void test_tmpdir_remove(const char *dir) {
    nftw(dir, test_tmpdir_remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Runs a shell command built like printf; returns its exit status (-1 if it did not run). */
static inline int test_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int test_sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof cmd) return -1;
    int status = system(cmd);
    if (status == -1 || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/* Reads a whole small file into buf (NUL-terminated); false if missing or too big. */
static inline bool test_file_read(const char *path, char *buf, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return false;
    size_t n = fread(buf, 1, cap - 1, f);
    bool whole = feof(f) != 0;
    fclose(f);
    buf[n] = '\0';
    return whole;
}

/* ---- certificates ---- */

typedef enum test_key_type { TEST_KEY_EC, TEST_KEY_RSA, TEST_KEY_ED25519 } test_key_type;

static inline EVP_PKEY *test_key_make(test_key_type type) {
    switch (type) {
    case TEST_KEY_EC: return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    case TEST_KEY_RSA: return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    case TEST_KEY_ED25519: return EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    }
    return NULL;
}

/* A self-signed certificate for CN=localhost signed with `md` (NULL for Ed25519). */
static inline X509 *test_cert_make(EVP_PKEY *key, const EVP_MD *md) {
    X509 *cert = X509_new();
    if (cert == NULL) return NULL;
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 4242);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1,
                               -1, 0);
    X509_set_issuer_name(cert, name);
    if (X509_sign(cert, key, md) <= 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

/* Writes cert and key as PEM files; the key file gets mode `key_mode` (0600 normally). */
static inline bool test_cert_write(X509 *cert, EVP_PKEY *key, const char *cert_path,
                                   const char *key_path, mode_t key_mode) {
    FILE *f = fopen(cert_path, "w");
    if (f == NULL) return false;
    bool ok = PEM_write_X509(f, cert) == 1;
    fclose(f);
    f = fopen(key_path, "w");
    if (f == NULL) return false;
    ok = ok && PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
    fclose(f);
    return ok && chmod(key_path, key_mode) == 0;
}

/* Makes a key and certificate and writes dir/<stem>.crt and dir/<stem>.key (0600). */
static inline bool test_cert_files_make(const char *dir, const char *stem, test_key_type type,
                                        const EVP_MD *md) {
    char cert_path[256], key_path[256];
    snprintf(cert_path, sizeof cert_path, "%s/%s.crt", dir, stem);
    snprintf(key_path, sizeof key_path, "%s/%s.key", dir, stem);
    EVP_PKEY *key = test_key_make(type);
    X509 *cert = key != NULL ? test_cert_make(key, md) : NULL;
    bool ok = cert != NULL && test_cert_write(cert, key, cert_path, key_path, 0600);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}

#endif
