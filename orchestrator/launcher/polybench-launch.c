/*
 * polybench-launch: start one command, wait for it, report its timing and
 * rusage as one JSON line on a file descriptor.
 *
 *   polybench-launch RESULT_FD -- COMMAND [ARGS...]
 *
 * Why a separate launcher instead of os.posix_spawn from Python: on Linux a
 * process's peak RSS (ru_maxrss) keeps the high-water mark of the memory map
 * it had before exec. A child spawned straight from the orchestrator (a
 * Python process of 40+ MB) therefore reports at least the orchestrator's
 * size, and a 5 MB Go client would read as 40 MB. Spawned from this ~1 MB
 * process, the child's ru_maxrss is its own. Timing from here also matches
 * how hyperfine measures: a small process's spawn, wait4, clock.
 *
 * The command's stdin, stdout and stderr are this process's own; RESULT_FD
 * is closed in the child. Exit status of the launcher: 0 when it reported
 * (whatever the command did), 125 on its own usage error, 126 when the
 * command could not be started (also reported as JSON).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static long long ns(const struct timespec *t) {
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long tv_ns(const struct timeval *t) {
    return (long long)t->tv_sec * 1000000000LL + (long long)t->tv_usec * 1000LL;
}

int main(int argc, char **argv) {
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: polybench-launch RESULT_FD -- COMMAND [ARGS...]\n");
        return 125;
    }
    int result_fd = atoi(argv[1]);
    if (result_fd < 3) {
        fprintf(stderr, "polybench-launch: RESULT_FD must be 3 or more\n");
        return 125;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addclose(&actions, result_fd);

    struct timespec epoch_start, mono_start, mono_end, epoch_end;
    pid_t pid;
    clock_gettime(CLOCK_REALTIME, &epoch_start);
    clock_gettime(CLOCK_MONOTONIC, &mono_start);
    int rc = posix_spawnp(&pid, argv[3], &actions, NULL, &argv[3], environ);
    if (rc != 0) {
        dprintf(result_fd, "{\"spawn_error\": \"%s\"}\n", strerror(rc));
        return 126;
    }

    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            dprintf(result_fd, "{\"spawn_error\": \"wait4: %s\"}\n", strerror(errno));
            return 126;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &mono_end);
    clock_gettime(CLOCK_REALTIME, &epoch_end);

    int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    dprintf(result_fd,
            "{\"exit_code\": %d, \"wall_ns\": %lld, \"spawn_epoch_ns\": %lld, \"reap_epoch_ns\": %lld, "
            "\"user_ns\": %lld, \"sys_ns\": %lld, \"peak_rss_kib\": %ld}\n",
            exit_code, ns(&mono_end) - ns(&mono_start), ns(&epoch_start), ns(&epoch_end),
            tv_ns(&usage.ru_utime), tv_ns(&usage.ru_stime), usage.ru_maxrss);
    return 0;
}
