/* The polybench client contract (docs/contract.md) shared by the C clients:
 * the command line, the proof of receipt, and the one JSON output line. */
#ifndef POLYBENCH_CONTRACT_H
#define POLYBENCH_CONTRACT_H

#include <stddef.h>
#include <stdint.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNSUPPORTED = 3 };
enum { NONCE_LEN = 16, MAX_ERRORS = 10 };

/* The parsed command line. */
struct args {
    const char *scenario;
    const char *url;      /* base URL, no trailing slash */
    const char *run_id;
    const char *ca_file;  /* NULL when not given; used only for https:// */
    long requests;
    long concurrency;
    long delay_ms;
    long long bytes;
    int https;
};

/* What the client prints: counts, proof and phase timestamps. */
struct report {
    const char *client;
    const char *library;
    const char *scenario;
    long requests;
    long ok;
    long long bytes;
    char sha256[65];      /* empty unless stream read a body */
    uint8_t receipt[NONCE_LEN];
    char *errors[MAX_ERRORS];
    int n_errors;
    int64_t t_entry_ns, t_ready_ns, t_done_ns;
};

/* Unix-epoch time in ns (CLOCK_REALTIME, the clock every client shares). */
int64_t now_ns(void);

/* Parses argv against the scenarios the client supports (NULL-terminated).
 * Returns EXIT_OK, or EXIT_USAGE / EXIT_UNSUPPORTED after printing one line
 * on stderr; "--help" prints the usage and returns -1 (exit 0). */
int parse_args(int argc, char **argv, const char *client, const char *const *supported, struct args *out);

/* The number of calls a scenario makes. */
long expected_calls(const struct args *a);

void report_init(struct report *r, const char *client, const char *library, const struct args *a, int64_t t_entry);

/* Counts one verified call and folds its nonce into the receipt. */
void report_ok(struct report *r, const uint8_t nonce[NONCE_LEN]);

/* Counts one failed call, keeping the printf-style message (at most 10 kept). */
void report_fail(struct report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the JSON line on stdout and returns the exit code. */
int report_finish(struct report *r);

/* Parses a 32-hex-digit X-Polybench-Nonce value; 0 on success, -1 if malformed. */
int parse_nonce(const char *value, size_t len, uint8_t out[NONCE_LEN]);

#endif
