#include "contract.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char USAGE[] =
    "SCENARIO --url URL --run-id ID [--requests N] [--concurrency C] [--delay-ms D] [--bytes B] [--ca-file PATH]";

static const char *const KNOWN[] = {"single", "sequential", "keepalive", "concurrent", "stream", "rest", NULL};

int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int in_list(const char *name, const char *const *list) {
    for (; *list; list++)
        if (strcmp(name, *list) == 0) return 1;
    return 0;
}

/* Writes an argument to stderr with control bytes as \xNN, so a message stays one line. */
static void put_argument(const char *value) {
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
}

/* One line on stderr: the message, the offending value and the usage. */
static int usage_error(const char *client, const char *message, const char *value) {
    fprintf(stderr, "%s: %s", client, message);
    if (value) {
        fputc(' ', stderr);
        put_argument(value);
    }
    fprintf(stderr, " (usage: %s %s)\n", client, USAGE);
    return EXIT_USAGE;
}

/* A whole decimal number in [min, max]; 0 on success. */
static int parse_number(const char *text, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) return -1;
    *out = value;
    return 0;
}

static int valid_run_id(const char *id) {
    size_t n = strlen(id);
    if (n < 1 || n > 64) return 0;
    for (; *id; id++) {
        char c = *id;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return 0;
    }
    return 1;
}

int parse_args(int argc, char **argv, const char *client, const char *const *supported, struct args *out) {
    memset(out, 0, sizeof *out);
    out->requests = 1;
    out->concurrency = 1;
    out->bytes = 1048576;
    if (argc < 2) return usage_error(client, "missing SCENARIO", NULL);
    const char *scenario = argv[1];
    if (strcmp(scenario, "--help") == 0 || strcmp(scenario, "-h") == 0) {
        printf("usage: %s %s\n", client, USAGE);
        return -1;
    }
    if (scenario[0] == '-') return usage_error(client, "SCENARIO must come first, got", scenario);
    if (!in_list(scenario, KNOWN) || !in_list(scenario, supported)) {
        fprintf(stderr, "%s: unsupported scenario ", client);
        put_argument(scenario);
        fputc('\n', stderr);
        return EXIT_UNSUPPORTED;
    }
    out->scenario = scenario;
    for (int i = 2; i < argc; i += 2) {
        const char *flag = argv[i];
        if (i + 1 >= argc) return usage_error(client, "missing value for", flag);
        const char *value = argv[i + 1];
        long long number = 0;
        if (strcmp(flag, "--url") == 0) {
            out->url = value;
        } else if (strcmp(flag, "--run-id") == 0) {
            out->run_id = value;
        } else if (strcmp(flag, "--ca-file") == 0) {
            out->ca_file = value;
        } else if (strcmp(flag, "--requests") == 0) {
            if (parse_number(value, 1, 100000000, &number)) return usage_error(client, "--requests must be >= 1, got", value);
            out->requests = (long)number;
        } else if (strcmp(flag, "--concurrency") == 0) {
            if (parse_number(value, 1, 100000, &number)) return usage_error(client, "--concurrency must be >= 1, got", value);
            out->concurrency = (long)number;
        } else if (strcmp(flag, "--delay-ms") == 0) {
            if (parse_number(value, 0, 3600000, &number)) return usage_error(client, "--delay-ms must be >= 0, got", value);
            out->delay_ms = (long)number;
        } else if (strcmp(flag, "--bytes") == 0) {
            if (parse_number(value, 0, (long long)1 << 50, &number)) return usage_error(client, "--bytes must be >= 0, got", value);
            out->bytes = number;
        } else {
            return usage_error(client, "unknown flag", flag);
        }
    }
    if (!out->url) return usage_error(client, "--url is required", NULL);
    const char *host;
    if (strncmp(out->url, "http://", 7) == 0) {
        host = out->url + 7;
    } else if (strncmp(out->url, "https://", 8) == 0) {
        host = out->url + 8;
        out->https = 1;
    } else {
        return usage_error(client, "--url must be an http(s) URL, got", out->url);
    }
    /* host[:port] and nothing else: no path, and nothing that could end a request line */
    if (!*host || host[strspn(host, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:[]-")])
        return usage_error(client, "--url must be http(s)://HOST[:PORT] with no path or trailing slash, got", out->url);
    if (out->https && !out->ca_file) return usage_error(client, "an https:// --url needs --ca-file (the CA to trust)", NULL);
    if (!out->run_id || !valid_run_id(out->run_id))
        return usage_error(client, "--run-id must match [A-Za-z0-9._-]{1,64}, got", out->run_id ? out->run_id : "nothing");
    return EXIT_OK;
}

long expected_calls(const struct args *a) {
    if (strcmp(a->scenario, "sequential") == 0 || strcmp(a->scenario, "keepalive") == 0 ||
        strcmp(a->scenario, "concurrent") == 0)
        return a->requests;
    if (strcmp(a->scenario, "rest") == 0) return 5;
    return 1;
}

void report_init(struct report *r, const char *client, const char *library, const struct args *a, int64_t t_entry) {
    memset(r, 0, sizeof *r);
    r->client = client;
    r->library = library;
    r->scenario = a->scenario;
    r->requests = expected_calls(a);
    r->t_entry_ns = t_entry;
}

void report_ok(struct report *r, const uint8_t nonce[NONCE_LEN]) {
    r->ok++;
    for (int i = 0; i < NONCE_LEN; i++) r->receipt[i] ^= nonce[i];
}

void report_fail(struct report *r, const char *fmt, ...) {
    if (r->n_errors >= MAX_ERRORS) return;
    va_list ap;
    va_start(ap, fmt);
    char *message = NULL;
    if (vasprintf(&message, fmt, ap) >= 0) r->errors[r->n_errors++] = message;
    va_end(ap);
}

/* Writes s as a JSON string: quotes, backslashes and control bytes escaped. */
static void put_json_string(const char *s) {
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

int report_finish(struct report *r) {
    if (!r->t_done_ns) r->t_done_ns = now_ns();
    printf("{\"client\":");
    put_json_string(r->client);
    printf(",\"library\":");
    put_json_string(r->library);
    printf(",\"scenario\":");
    put_json_string(r->scenario);
    printf(",\"requests\":%ld,\"ok\":%ld,\"bytes\":%lld,\"sha256\":", r->requests, r->ok, r->bytes);
    if (r->sha256[0])
        put_json_string(r->sha256);
    else
        printf("null");
    printf(",\"receipt\":\"");
    for (int i = 0; i < NONCE_LEN; i++) printf("%02x", r->receipt[i]);
    printf("\",\"errors\":[");
    for (int i = 0; i < r->n_errors; i++) {
        if (i) putchar(',');
        put_json_string(r->errors[i]);
    }
    printf("],\"t_entry_ns\":%lld,\"t_ready_ns\":%lld,\"t_done_ns\":%lld}\n", (long long)r->t_entry_ns,
           (long long)r->t_ready_ns, (long long)r->t_done_ns);
    if (fflush(stdout) != 0) return EXIT_FAILED;
    return r->ok == r->requests ? EXIT_OK : EXIT_FAILED;
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int parse_nonce(const char *value, size_t len, uint8_t out[NONCE_LEN]) {
    if (!value || len != 2 * NONCE_LEN) return -1;
    for (int i = 0; i < NONCE_LEN; i++) {
        int hi = hex_value(value[2 * i]), lo = hex_value(value[2 * i + 1]);
        if (hi < 0 || lo < 0) return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}
