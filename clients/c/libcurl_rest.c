/* c-libcurl's rest scenario (docs/contract.md): five calls, every one after
 * the first following the created user's _links.self.href. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libcurl_client.h"

/* Sends a {"name", "email"} JSON body; returns the checked JSON response
 * (caller frees) or NULL after recording the failure. */
static json_t *send_user(struct call *c, const char *method, const char *path, const char *name, const char *email,
                         long want_status, uint8_t nonce[NONCE_LEN], struct report *r,
                         struct curl_slist *json_headers) {
    char what[300];
    snprintf(what, sizeof what, "%s %s", method, path);
    json_t *input = json_pack("{s:s,s:s}", "name", name, "email", email);
    char *encoded = input ? json_dumps(input, JSON_COMPACT) : NULL;
    json_decref(input);
    if (!encoded) {
        report_fail(r, "%s: encoding the body failed", what);
        return NULL;
    }
    /* libcurl's method for a body is POST; CUSTOMREQUEST renames it. */
    CURLcode rc = call_perform(c, strcmp(method, "POST") == 0 ? NULL : method, path, encoded, json_headers);
    free(encoded);
    r->bytes += (long long)c->len;
    if (call_check(c, rc, what, want_status, nonce, r)) return NULL;
    return call_json(c, what, r);
}

static int has_user(json_t *body, const char *name, const char *email) {
    const char *got_name = json_string_value(json_object_get(body, "name"));
    const char *got_email = json_string_value(json_object_get(body, "email"));
    return got_name && got_email && strcmp(got_name, name) == 0 && strcmp(got_email, email) == 0;
}

/* POST /users: 201, Location, and a body with the user and its link. The
 * link is copied to href (size href_size); 0 on success. */
static int create_user(struct call *c, const char *name, const char *email, char *href, size_t href_size,
                       struct report *r, struct curl_slist *json_headers) {
    uint8_t nonce[NONCE_LEN];
    json_t *body = send_user(c, "POST", "/users", name, email, 201, nonce, r, json_headers);
    if (!body) return -1;
    const char *location = call_header(c, "Location");
    const char *link = json_string_value(json_object_get(json_object_get(json_object_get(body, "_links"), "self"),
                                                         "href"));
    json_t *id = json_object_get(body, "id");
    int ok = 0;
    if (!location)
        report_fail(r, "POST /users: no Location header");
    else if (!id || json_is_null(id))
        report_fail(r, "POST /users: body %.120s has no id", c->body);
    else if (!has_user(body, name, email))
        report_fail(r, "POST /users: body %.120s, want name %s and email %s", c->body, name, email);
    else if (!link || strcmp(link, location) != 0)
        report_fail(r, "POST /users: _links.self.href %s differs from Location %s", link ? link : "missing", location);
    else if (strlen(link) >= href_size || link[0] != '/')
        report_fail(r, "POST /users: _links.self.href %.120s is not a short path", link);
    else
        ok = 1;
    if (ok) {
        strcpy(href, link);
        report_ok(r, nonce);
    }
    json_decref(body);
    return ok ? 0 : -1;
}

/* A call without a body: GET or DELETE href, the wanted status; the body is
 * left in c for the caller to check. 0 on success, nonce set. */
static int call_plain(struct call *c, const char *method, const char *href, long want_status,
                      uint8_t nonce[NONCE_LEN], struct report *r, struct curl_slist *headers) {
    char what[300];
    snprintf(what, sizeof what, "%s %s", method, href);
    CURLcode rc = call_perform(c, strcmp(method, "GET") == 0 ? NULL : method, href, NULL, headers);
    r->bytes += (long long)c->len;
    return call_check(c, rc, what, want_status, nonce, r);
}

void run_rest(struct call *c, struct report *r, struct curl_slist *get_headers, struct curl_slist *json_headers) {
    char name[128], renamed[160], email[128], href[512];
    snprintf(name, sizeof name, "polybench-%s", c->args->run_id);
    snprintf(renamed, sizeof renamed, "%s-renamed", name);
    snprintf(email, sizeof email, "%s@example.invalid", c->args->run_id);
    uint8_t nonce[NONCE_LEN];

    if (create_user(c, name, email, href, sizeof href, r, json_headers)) return; /* no link to follow */

    if (call_plain(c, "GET", href, 200, nonce, r, get_headers) == 0) {
        json_t *body = call_json(c, "GET user", r);
        if (body && has_user(body, name, email))
            report_ok(r, nonce);
        else if (body)
            report_fail(r, "GET %s: body %.120s, want name %s and email %s", href, c->body, name, email);
        json_decref(body);
    }

    json_t *body = send_user(c, "PUT", href, renamed, email, 200, nonce, r, json_headers);
    if (body) {
        const char *got = json_string_value(json_object_get(body, "name"));
        if (got && strcmp(got, renamed) == 0)
            report_ok(r, nonce);
        else
            report_fail(r, "PUT %s: name %s, want %s", href, got ? got : "missing", renamed);
        json_decref(body);
    }

    if (call_plain(c, "DELETE", href, 204, nonce, r, get_headers) == 0) {
        if (c->len == 0)
            report_ok(r, nonce);
        else
            report_fail(r, "DELETE %s: body %.120s, want empty", href, c->body);
    }

    if (call_plain(c, "GET", href, 404, nonce, r, get_headers) == 0) {
        json_t *gone = call_json(c, "GET deleted user", r);
        if (gone && json_object_get(gone, "error"))
            report_ok(r, nonce);
        else if (gone)
            report_fail(r, "GET %s: body %.120s has no error key", href, c->body);
        json_decref(gone);
    }
}
