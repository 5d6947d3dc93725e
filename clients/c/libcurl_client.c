/* c-libcurl: polybench's C client on libcurl, the library curl itself uses,
 * without curl's command-line start-up. The easy API for one transfer at a
 * time, the multi API for `concurrent`; jansson for JSON, OpenSSL's libcrypto
 * for SHA-256. Implements docs/contract.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcurl_client.h"

static const char CLIENT[] = "c-libcurl";
static const char *const SCENARIOS[] = {"single", "sequential", "keepalive", "concurrent", "stream", "rest", NULL};
static const size_t MAX_BODY = 4 << 20;  /* a JSON response larger than this is an error, not a buffer */
static const long REQUEST_TIMEOUT_S = 30;

static size_t on_body(char *data, size_t size, size_t count, void *userdata) {
    struct call *c = userdata;
    size_t n = size * count;
    if (c->sha) {
        EVP_DigestUpdate(c->sha, data, n);
        c->streamed += (long long)n;
        return n;
    }
    if (c->len + n > MAX_BODY) return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    if (c->len + n > c->cap) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap < c->len + n) cap *= 2;
        char *grown = realloc(c->body, cap);
        if (!grown) return 0;
        c->body = grown;
        c->cap = cap;
    }
    memcpy(c->body + c->len, data, n);
    c->len += n;
    return n;
}

int call_init(struct call *c, const struct args *a, struct curl_slist *headers) {
    memset(c, 0, sizeof *c);
    c->args = a;
    c->easy = curl_easy_init();
    if (!c->easy) return -1;
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_PRIVATE, c);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->error);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S + a->delay_ms / 1000 + 1);
    if (a->https) {
        /* Trust exactly --ca-file: no CA directory, verification left on (the
         * default). libcurl's OpenSSL backend loads the file when it opens a
         * connection (then caches the store): what a libcurl user pays. */
        curl_easy_setopt(c->easy, CURLOPT_CAINFO, a->ca_file);
        curl_easy_setopt(c->easy, CURLOPT_CAPATH, NULL);
    }
    if (strcmp(a->scenario, "sequential") == 0) {
        /* libcurl's own way to a new connection per call: close it after each transfer. */
        curl_easy_setopt(c->easy, CURLOPT_FORBID_REUSE, 1L);
    }
    return 0;
}

void call_free(struct call *c) {
    if (c->easy) curl_easy_cleanup(c->easy);
    if (c->sha) EVP_MD_CTX_free(c->sha);
    free(c->body);
}

/* Points the handle at --url + path (method NULL = GET) without running it. */
static void call_prepare(struct call *c, const char *method, const char *path, const char *json_body,
                         struct curl_slist *headers) {
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->args->url, path);
    c->len = 0;
    c->error[0] = '\0';
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    curl_easy_setopt(c->easy, CURLOPT_HTTPHEADER, headers);
    if (json_body) {
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDS, json_body);
        curl_easy_setopt(c->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(json_body));
    } else {
        curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(c->easy, CURLOPT_CUSTOMREQUEST, method);
}

CURLcode call_perform(struct call *c, const char *method, const char *path, const char *json_body,
                      struct curl_slist *headers) {
    call_prepare(c, method, path, json_body, headers);
    return curl_easy_perform(c->easy);
}

const char *call_header(struct call *c, const char *name) {
    struct curl_header *h;
    if (curl_easy_header(c->easy, name, 0, CURLH_HEADER, -1, &h) != CURLHE_OK) return NULL;
    return h->value;
}

int call_check(struct call *c, CURLcode rc, const char *what, long want_status, uint8_t nonce[NONCE_LEN],
               struct report *r) {
    if (rc != CURLE_OK) {
        report_fail(r, "%s: %s", what, c->error[0] ? c->error : curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != want_status) {
        report_fail(r, "%s: status %ld, want %ld", what, status, want_status);
        return -1;
    }
    const char *value = call_header(c, "X-Polybench-Nonce");
    if (parse_nonce(value, value ? strlen(value) : 0, nonce)) {
        report_fail(r, "%s: header X-Polybench-Nonce %s is not 32 hex digits", what, value ? value : "missing");
        return -1;
    }
    return 0;
}

json_t *call_json(struct call *c, const char *what, struct report *r) {
    json_error_t error;
    json_t *value = json_loadb(c->body ? c->body : "", c->len, 0, &error);
    if (!value) report_fail(r, "%s: body is not JSON: %s", what, error.text);
    return value;
}

/* One GET whose 200 JSON body must equal want. */
static void check_get(struct call *c, CURLcode rc, const char *what, json_t *want, struct report *r) {
    uint8_t nonce[NONCE_LEN];
    r->bytes += (long long)c->len;
    if (call_check(c, rc, what, 200, nonce, r)) return;
    json_t *got = call_json(c, what, r);
    if (!got) return;
    if (json_equal(got, want))
        report_ok(r, nonce);
    else
        report_fail(r, "%s: body %.120s is not the expected payload", what, c->body);
    json_decref(got);
}

static void run_serial(struct call *c, long n, json_t *want, struct report *r, struct curl_slist *headers) {
    for (long i = 0; i < n; i++) check_get(c, call_perform(c, NULL, "/api", NULL, headers), "GET /api", want, r);
}

/* n GET /delay/D through the multi API, at most `concurrency` in flight:
 * calls[i] is one easy handle per slot, reused for the next call when done. */
static void run_concurrent(CURLM *multi, struct call *calls, long slots, long n, const char *path, json_t *want,
                           struct report *r, struct curl_slist *headers) {
    long started = 0, in_flight = 0;
    for (; started < n && started < slots; started++, in_flight++) {
        call_prepare(&calls[started], NULL, path, NULL, headers);
        curl_multi_add_handle(multi, calls[started].easy);
    }
    while (in_flight > 0) {
        int running = 0;
        CURLMcode mc = curl_multi_perform(multi, &running);
        if (mc != CURLM_OK) {
            report_fail(r, "curl multi: %s", curl_multi_strerror(mc));
            return;
        }
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            CURLcode rc = msg->data.result;
            struct call *c;
            curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&c);
            curl_multi_remove_handle(multi, easy);
            in_flight--;
            check_get(c, rc, path, want, r);
            if (started < n) {
                call_prepare(c, NULL, path, NULL, headers);
                curl_multi_add_handle(multi, easy);
                started++;
                in_flight++;
            }
        }
        /* Wait only while calls are in flight: with none left, poll would
         * sleep its whole timeout. A handle just added has a timer due at
         * once, so poll returns at once for it. */
        if (in_flight > 0) mc = curl_multi_poll(multi, NULL, 0, 1000, NULL);
        if (mc != CURLM_OK) {
            report_fail(r, "curl multi: %s", curl_multi_strerror(mc));
            return;
        }
    }
}

/* One GET /bytes/B through SHA-256; the digest is reported, the server checks it. */
static void run_stream(struct call *c, long long size, struct report *r, struct curl_slist *headers) {
    char path[64], what[80];
    snprintf(path, sizeof path, "/bytes/%lld", size);
    snprintf(what, sizeof what, "GET %s", path);
    CURLcode rc = call_perform(c, NULL, path, NULL, headers);
    r->bytes = c->streamed;
    uint8_t nonce[NONCE_LEN], digest[EVP_MAX_MD_SIZE];
    if (call_check(c, rc, what, 200, nonce, r)) return;
    unsigned int digest_len = 0;
    EVP_DigestFinal_ex(c->sha, digest, &digest_len);
    for (unsigned int i = 0; i < digest_len; i++) snprintf(r->sha256 + 2 * i, 3, "%02x", digest[i]);
    curl_off_t length = -1;
    curl_easy_getinfo(c->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
    if (length != size)
        report_fail(r, "%s: Content-Length %lld, want %lld", what, (long long)length, size);
    else if (c->streamed != size)
        report_fail(r, "%s: read %lld bytes, want %lld", what, c->streamed, size);
    else
        report_ok(r, nonce);
}

int main(int argc, char **argv) {
    int64_t t_entry = now_ns();
    struct args a;
    int code = parse_args(argc, argv, CLIENT, SCENARIOS, &a);
    if (code) return code < 0 ? EXIT_OK : code;

    struct report r;
    char library[128];
    const curl_version_info_data *version = curl_version_info(CURLVERSION_NOW);
    snprintf(library, sizeof library, "libcurl/%s %s", version->version, version->ssl_version ? version->ssl_version : "");
    report_init(&r, CLIENT, library, &a, t_entry);

    /* Set-up, all before t_ready: the library, the headers, one easy handle
     * per call in flight (and the multi handle), the expected payloads. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char run_header[128];
    snprintf(run_header, sizeof run_header, "X-Polybench-Run: %s", a.run_id);
    struct curl_slist *get_headers = curl_slist_append(NULL, run_header);
    struct curl_slist *json_headers = curl_slist_append(curl_slist_append(NULL, run_header),
                                                        "Content-Type: application/json");
    int concurrent = strcmp(a.scenario, "concurrent") == 0;
    long slots = concurrent ? (a.concurrency < a.requests ? a.concurrency : a.requests) : 1;
    struct call *calls = calloc((size_t)slots, sizeof *calls);
    CURLM *multi = concurrent ? curl_multi_init() : NULL;
    int ready = calls != NULL && get_headers && json_headers && (!concurrent || multi);
    for (long i = 0; ready && i < slots; i++) ready = call_init(&calls[i], &a, get_headers) == 0;
    if (ready && strcmp(a.scenario, "stream") == 0) {
        calls[0].sha = EVP_MD_CTX_new();
        ready = calls[0].sha && EVP_DigestInit_ex(calls[0].sha, EVP_sha256(), NULL) == 1;
    }
    json_t *api_payload = json_pack("{s:s,s:[i,i,i]}", "message", "GET request received", "data", 1, 2, 3);
    json_t *delay_payload = json_pack("{s:I}", "delay_ms", (json_int_t)a.delay_ms);
    char delay_path[64];
    snprintf(delay_path, sizeof delay_path, "/delay/%ld", a.delay_ms);
    r.t_ready_ns = now_ns();

    if (!ready) {
        report_fail(&r, "setting up libcurl failed");
    } else if (strcmp(a.scenario, "single") == 0) {
        run_serial(&calls[0], 1, api_payload, &r, get_headers);
    } else if (strcmp(a.scenario, "sequential") == 0 || strcmp(a.scenario, "keepalive") == 0) {
        /* The same loop: FORBID_REUSE (set in call_init) decides whether each
         * call gets a new connection or reuses the first. */
        run_serial(&calls[0], a.requests, api_payload, &r, get_headers);
    } else if (concurrent) {
        run_concurrent(multi, calls, slots, a.requests, delay_path, delay_payload, &r, get_headers);
    } else if (strcmp(a.scenario, "stream") == 0) {
        run_stream(&calls[0], a.bytes, &r, get_headers);
    } else {
        run_rest(&calls[0], &r, get_headers, json_headers);
    }
    r.t_done_ns = now_ns();
    code = report_finish(&r);

    for (long i = 0; calls && i < slots; i++) call_free(&calls[i]);
    if (multi) curl_multi_cleanup(multi);
    free(calls);
    json_decref(api_payload);
    json_decref(delay_payload);
    curl_slist_free_all(get_headers);
    curl_slist_free_all(json_headers);
    curl_global_cleanup();
    return code;
}
