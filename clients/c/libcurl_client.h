/* c-libcurl: one transfer's state, shared by the scenarios and rest. */
#ifndef POLYBENCH_LIBCURL_CLIENT_H
#define POLYBENCH_LIBCURL_CLIENT_H

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "contract.h"

/* One easy handle with the response it is receiving: the whole body for the
 * small JSON responses, or (stream) only a running SHA-256 and a count. */
struct call {
    CURL *easy;
    const struct args *args;
    char *body;
    size_t len, cap;
    EVP_MD_CTX *sha;       /* non-NULL: stream the body through SHA-256 */
    long long streamed;
    char error[CURL_ERROR_SIZE];
};

/* Builds an easy handle with the run's headers and trust set-up. */
int call_init(struct call *c, const struct args *a, struct curl_slist *headers);
void call_free(struct call *c);

/* Makes one request (method NULL = GET) to --url + path and waits for it. */
CURLcode call_perform(struct call *c, const char *method, const char *path, const char *json_body,
                      struct curl_slist *headers);

/* Checks a finished transfer: no transport error, the wanted status and a
 * valid nonce (copied to nonce). On failure records it in r and returns -1. */
int call_check(struct call *c, CURLcode rc, const char *what, long want_status, uint8_t nonce[NONCE_LEN],
               struct report *r);

/* The body parsed as JSON, or NULL after recording why in r. */
json_t *call_json(struct call *c, const char *what, struct report *r);

/* The value of a response header, or NULL. */
const char *call_header(struct call *c, const char *name);

/* The rest scenario: create, read, rename, delete a user, then see it gone. */
void run_rest(struct call *c, struct report *r, struct curl_slist *get_headers, struct curl_slist *json_headers);

#endif
