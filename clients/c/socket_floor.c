/* c-socket-floor: the physical floor, not a contender. A minimal HTTP/1.1
 * client on raw sockets (connect, write the request, read the response to
 * its Content-Length), so the report can show what one call costs with no
 * library at all. Only `single`, `sequential` and `keepalive`, only http://.
 * Every response is read whole and checked (status, Content-Length, the
 * JSON payload, the nonce) like any client's; see docs/contract.md. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "contract.h"

static const char CLIENT[] = "c-socket-floor";
static const char *const SCENARIOS[] = {"single", "sequential", "keepalive", NULL};
enum { MAX_RESPONSE = 64 * 1024 };

/* The JSON body of GET /api with the whitespace outside strings removed, in
 * either key order (the contract compares values, not formatting). */
static const char *const API_PAYLOADS[] = {
    "{\"message\":\"GET request received\",\"data\":[1,2,3]}",
    "{\"data\":[1,2,3],\"message\":\"GET request received\"}",
};

/* Copies src (n bytes) to dst without the whitespace outside JSON strings. */
static size_t strip_json_space(const char *src, size_t n, char *dst) {
    size_t out = 0;
    int in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = src[i];
        if (in_string) {
            if (ch == '\\' && i + 1 < n) {
                dst[out++] = ch;
                ch = src[++i];
            } else if (ch == '"') {
                in_string = 0;
            }
        } else if (ch == '"') {
            in_string = 1;
        } else if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n') {
            continue;
        }
        dst[out++] = ch;
    }
    dst[out] = '\0';
    return out;
}

/* The value of header `name` in the header block (NUL-terminated), or NULL;
 * its length goes to len. */
static const char *find_header(const char *head, const char *name, size_t *len) {
    size_t name_len = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
        const char *start = line + 2;
        if (strncasecmp(start, name, name_len) == 0 && start[name_len] == ':') {
            const char *value = start + name_len + 1;
            while (*value == ' ' || *value == '\t') value++;
            const char *end = strstr(value, "\r\n");
            size_t n = end ? (size_t)(end - value) : strlen(value);
            while (n && (value[n - 1] == ' ' || value[n - 1] == '\t')) n--;
            *len = n;
            return value;
        }
    }
    return NULL;
}

/* The connection (fd -1 when closed) and the bytes read past the last response. */
struct conn {
    int fd;
    char buf[MAX_RESPONSE + 1];
    size_t have;
};

static int open_conn(struct conn *c, const struct sockaddr_storage *addr, socklen_t addr_len) {
    c->fd = socket(addr->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    c->have = 0;
    if (c->fd < 0) return -1;
    struct timeval timeout = {30, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (const struct sockaddr *)addr, addr_len) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    return 0;
}

static int write_all(int fd, const char *data, size_t n) {
    while (n > 0) {
        ssize_t sent = send(fd, data, n, MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) continue;
        if (sent <= 0) return -1;
        data += sent;
        n -= (size_t)sent;
    }
    return 0;
}

/* Reads until `want` bytes are buffered (or, want 0, a full header block);
 * returns the header length (want 0) or 0, -1 on EOF/error. */
static long fill(struct conn *c, size_t want) {
    for (;;) {
        c->buf[c->have] = '\0';
        if (want == 0) {
            char *end = strstr(c->buf, "\r\n\r\n");
            if (end) return end + 4 - c->buf;
        } else if (c->have >= want) {
            return 0;
        }
        if (c->have >= MAX_RESPONSE) return -1;
        ssize_t n = recv(c->fd, c->buf + c->have, MAX_RESPONSE - c->have, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return -1;
        c->have += (size_t)n;
    }
}

/* One GET /api on c, read whole and checked; records the outcome in r. */
static void get_api(struct conn *c, const char *request, size_t request_len, struct report *r) {
    if (write_all(c->fd, request, request_len)) {
        report_fail(r, "GET /api: sending: %s", strerror(errno));
        return;
    }
    long head_len = fill(c, 0);
    if (head_len < 0) {
        report_fail(r, "GET /api: connection closed before a full header block");
        return;
    }
    int status = 0;
    if (sscanf(c->buf, "HTTP/1.%*d %d", &status) != 1) status = -1;
    size_t len = 0;
    const char *value = find_header(c->buf, "Content-Length", &len);
    long body_len = value ? strtol(value, NULL, 10) : -1;
    if (body_len < 0 || body_len > MAX_RESPONSE - head_len) {
        report_fail(r, "GET /api: no usable Content-Length");
        return;
    }
    if (fill(c, (size_t)(head_len + body_len)) < 0) {
        report_fail(r, "GET /api: connection closed inside the body");
        return;
    }
    r->bytes += body_len;
    uint8_t nonce[NONCE_LEN];
    value = find_header(c->buf, "X-Polybench-Nonce", &len);
    char body[MAX_RESPONSE + 1];
    strip_json_space(c->buf + head_len, (size_t)body_len, body);
    if (status != 200)
        report_fail(r, "GET /api: status %d, want 200", status);
    else if (parse_nonce(value, value ? len : 0, nonce))
        report_fail(r, "GET /api: no valid X-Polybench-Nonce header");
    else if (strcmp(body, API_PAYLOADS[0]) != 0 && strcmp(body, API_PAYLOADS[1]) != 0)
        report_fail(r, "GET /api: body %.120s is not the expected payload", body);
    else
        report_ok(r, nonce);
    /* Keep what came after this response (nothing, for a well-behaved server). */
    size_t used = (size_t)(head_len + body_len);
    memmove(c->buf, c->buf + used, c->have - used);
    c->have -= used;
}

int main(int argc, char **argv) {
    int64_t t_entry = now_ns();
    struct args a;
    int code = parse_args(argc, argv, CLIENT, SCENARIOS, &a);
    if (code) return code < 0 ? EXIT_OK : code;
    if (a.https) {
        fprintf(stderr, "%s: https:// is not supported (the floor speaks plain HTTP only)\n", CLIENT);
        return EXIT_UNSUPPORTED;
    }
    struct report r;
    report_init(&r, CLIENT, "POSIX sockets", &a, t_entry);

    /* Set-up: resolve the address (numeric or /etc/hosts, no DNS traffic to
     * speak of on loopback) and write the request once. */
    const char *host = a.url + strlen("http://");
    char host_name[256], port[16] = "80";
    const char *colon = strrchr(host, ':');
    size_t host_len = colon ? (size_t)(colon - host) : strlen(host);
    if (host_len >= sizeof host_name || (colon && strlen(colon + 1) >= sizeof port) || strchr(host, '/')) {
        fprintf(stderr, "%s: --url must be http://HOST[:PORT], got %s\n", CLIENT, a.url);
        return EXIT_USAGE;
    }
    memcpy(host_name, host, host_len);
    host_name[host_len] = '\0';
    if (colon) strcpy(port, colon + 1);
    int keepalive = strcmp(a.scenario, "keepalive") == 0;
    char request[512];
    int request_len = snprintf(request, sizeof request,
                               "GET /api HTTP/1.1\r\nHost: %s\r\nX-Polybench-Run: %s\r\n%s\r\n", host, a.run_id,
                               keepalive ? "" : "Connection: close\r\n");
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *found = NULL;
    int resolved = getaddrinfo(host_name, port, &hints, &found);
    struct sockaddr_storage addr;
    socklen_t addr_len = 0;
    if (resolved == 0) {
        memcpy(&addr, found->ai_addr, found->ai_addrlen);
        addr_len = found->ai_addrlen;
        freeaddrinfo(found);
    }
    static struct conn c = {.fd = -1};
    r.t_ready_ns = now_ns();

    if (resolved != 0) {
        report_fail(&r, "resolving %s: %s", host_name, gai_strerror(resolved));
    } else {
        for (long i = 0; i < r.requests; i++) {
            /* keepalive: one connection for every call, never reopened (a
             * server that closes it fails the run); else one per call. */
            if (c.fd < 0 && (keepalive ? i == 0 : 1) && open_conn(&c, &addr, addr_len)) {
                report_fail(&r, "connecting to %s: %s", host, strerror(errno));
                continue;
            }
            if (c.fd < 0) {
                report_fail(&r, "GET /api: the keep-alive connection was lost");
                continue;
            }
            get_api(&c, request, (size_t)request_len, &r);
            if (!keepalive || r.ok != i + 1) {
                close(c.fd);
                c.fd = -1;
            }
        }
    }
    r.t_done_ns = now_ns();
    if (c.fd >= 0) close(c.fd);
    return report_finish(&r);
}
