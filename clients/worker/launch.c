/* polybench launcher for a resident worker (python-requests-worker; docs/contract.md).
 *
 *   launch SOCKET SCENARIO --url URL --run-id ID [...]
 *
 * The timed process of a "keep Python warm" client: it takes its entry
 * timestamp, connects to the worker's Unix socket, sends that timestamp and
 * its contract arguments (NUL-separated), and copies the worker's answer out:
 * the first line is the exit code, the rest goes to stdout (codes 0 and 1: the
 * contract's JSON line) or stderr (any other code). The worker makes the calls
 * with a fresh client object per run; the server's records verify them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_ANSWER (1 << 20)

static int fail(const char *what) {
    fprintf(stderr, "python-requests-worker launcher: %s: %s\n", what, strerror(errno));
    return 2;
}

static int send_all(int fd, const char *data, size_t size) {
    while (size > 0) {
        ssize_t sent = write(fd, data, size);
        if (sent < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        data += sent;
        size -= (size_t)sent;
    }
    return 0;
}

int main(int argc, char **argv) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long t_entry_ns = (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
    if (argc < 3) {
        fprintf(stderr, "python-requests-worker launcher: missing arguments (a scenario, then its flags)\n"
                        "usage: launch SOCKET SCENARIO --url URL --run-id ID [...]\n");
        return 2;
    }
    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof address.sun_path) {
        fprintf(stderr, "python-requests-worker launcher: socket path too long\n");
        return 2;
    }
    strcpy(address.sun_path, argv[1]);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return fail("socket");
    if (connect(fd, (struct sockaddr *)&address, sizeof address) < 0) return fail("connect to the worker");
    char stamp[32];
    int length = snprintf(stamp, sizeof stamp, "%lld", t_entry_ns);
    if (send_all(fd, stamp, (size_t)length + 1) < 0) return fail("send");
    for (int i = 2; i < argc; i++) {
        if (send_all(fd, argv[i], strlen(argv[i]) + 1) < 0) return fail("send");
    }
    if (shutdown(fd, SHUT_WR) < 0) return fail("shutdown");
    char *answer = malloc(MAX_ANSWER + 1);
    if (answer == NULL) return fail("malloc");
    size_t used = 0;
    for (;;) {
        ssize_t got = read(fd, answer + used, MAX_ANSWER - used);
        if (got < 0) {
            if (errno == EINTR) continue;
            return fail("read");
        }
        if (got == 0 || used + (size_t)got >= MAX_ANSWER) {
            used += (size_t)got;
            break;
        }
        used += (size_t)got;
    }
    answer[used] = '\0';
    char *newline = strchr(answer, '\n');
    if (newline == NULL) {
        fprintf(stderr, "python-requests-worker launcher: the worker gave no answer\n");
        return 2;
    }
    *newline = '\0';
    int code = atoi(answer);
    char *body = newline + 1;
    FILE *out = (code == 0 || code == 1) ? stdout : stderr;
    fputs(body, out);
    fflush(out);
    return code;
}
