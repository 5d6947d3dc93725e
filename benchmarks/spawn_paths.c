/*
 * spawn_paths: what each way of starting a process costs, for /usr/bin/true.
 *
 *   cc -O2 -o build/spawn_paths benchmarks/spawn_paths.c && build/spawn_paths [RUNS] [PROGRAM]
 *
 * Times spawn-to-reap (CLOCK_MONOTONIC before the spawn call, after wait4)
 * with five spawn paths, one run of each in turn (in a new random order each
 * round: a fork leaves the parent's pages copy-on-write, which the next run
 * pays for, so no path may always follow it), so that a noisy machine's
 * drift hits all alike; prints each path's median and quartiles. The paths:
 *   launcher    posix_spawn as polybench-launch calls it: own process group,
 *               stdin/stdout/stderr dup2'd from descriptors opened beforehand
 *   hyperfine   posix_spawn as hyperfine 1.15 (Rust's std::process::Command)
 *               calls it, traced with strace: /dev/null opened three times,
 *               RLIMIT_NOFILE read six times, every signal reset to its
 *               default (POSIX_SPAWN_SETSIGDEF) and the mask cleared, all
 *               inside its wall-clock window
 *   vfork       vfork + execve, the same dup2s and process group
 *   clone       clone(CLONE_VM | CLONE_VFORK) on a static stack + execve, the same
 *   fork        fork + execve, the same
 * Like polybench-launch, it is a child subreaper and has handlers for
 * SIGALRM, SIGINT, SIGTERM and SIGHUP (which posix_spawn resets in the child).
 * A benchmark, not part of polybench: see docs/accuracy.md.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { LAUNCHER, HYPERFINE, VFORK, CLONE, FORK, PATHS };
static const char *NAMES[PATHS] = {"launcher (posix_spawn)", "hyperfine-like posix_spawn", "vfork + execve",
                                   "clone(CLONE_VFORK) + execve", "fork + execve"};

static char *program[2] = {"/usr/bin/true", NULL};
static int in_fd, out_fd, err_fd;
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void ignore(int signo) { (void)signo; }

static int child(void *unused) {
    (void)unused;
    setpgid(0, 0);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    execve(program[0], program, environ);
    _exit(127);
}

static pid_t spawn_like_launcher(void) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    posix_spawnp(&pid, program[0], &actions, &attr, program, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return pid;
}

static pid_t spawn_like_hyperfine(void) {
    int fds[3] = {open("/dev/null", O_RDONLY | O_CLOEXEC), open("/dev/null", O_WRONLY | O_CLOEXEC),
                  open("/dev/null", O_WRONLY | O_CLOEXEC)};
    struct rlimit files;
    for (int i = 0; i < 6; i++) getrlimit(RLIMIT_NOFILE, &files);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    for (int i = 0; i < 3; i++) posix_spawn_file_actions_adddup2(&actions, fds[i], i);
    posix_spawnattr_init(&attr);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    pid_t pid = -1;
    posix_spawn(&pid, program[0], &actions, &attr, program, environ);
    for (int i = 0; i < 3; i++) close(fds[i]);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return pid;
}

static long long timed_run(int path) {
    int status;
    struct rusage usage;
    pid_t pid = -1;
    long long start = now_ns();
    switch (path) {
    case LAUNCHER: pid = spawn_like_launcher(); break;
    case HYPERFINE: pid = spawn_like_hyperfine(); break;
    case VFORK: pid = vfork(); if (pid == 0) child(NULL); break;
    case CLONE: pid = clone(child, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL); break;
    case FORK: pid = fork(); if (pid == 0) child(NULL); break;
    }
    if (pid < 0 || wait4(pid, &status, 0, &usage) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "spawn_paths: %s: %s did not run\n", NAMES[path], program[0]);
        exit(1);
    }
    return now_ns() - start;
}

static int by_value(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : 3000;
    if (argc > 2) program[0] = argv[2];
    if (runs < 4) {
        fprintf(stderr, "usage: spawn_paths [RUNS >= 4] [PROGRAM]\n");
        return 2;
    }
    struct sigaction action = {0};
    action.sa_handler = ignore;
    sigaction(SIGALRM, &action, NULL);
    signal(SIGINT, ignore);
    signal(SIGTERM, ignore);
    signal(SIGHUP, ignore);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    err_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    long long *times[PATHS];
    for (int path = 0; path < PATHS; path++) times[path] = malloc(sizeof(long long) * (size_t)runs);
    for (int i = 0; i < 20; i++)
        for (int path = 0; path < PATHS; path++) timed_run(path); /* warm-up */
    unsigned long long state = 0x9E3779B97F4A7C15ULL; /* xorshift64: a fixed, repeatable shuffle */
    for (int i = 0; i < runs; i++) {
        int order[PATHS];
        for (int k = 0; k < PATHS; k++) order[k] = k;
        for (int k = PATHS - 1; k > 0; k--) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            int j = (int)(state % (unsigned long long)(k + 1)), swap = order[k];
            order[k] = order[j];
            order[j] = swap;
        }
        for (int k = 0; k < PATHS; k++) times[order[k]][i] = timed_run(order[k]);
    }
    qsort(times[LAUNCHER], (size_t)runs, sizeof(long long), by_value);
    double reference = times[LAUNCHER][runs / 2] / 1e6;
    printf("%d runs of %s per path, interleaved run by run in random order\n", runs, program[0]);
    printf("| spawn path | median ms | quartiles ms | vs launcher |\n|:--|--:|--:|--:|\n");
    for (int path = 0; path < PATHS; path++) {
        qsort(times[path], (size_t)runs, sizeof(long long), by_value);
        double median = times[path][runs / 2] / 1e6;
        printf("| %s | %.4f | %.4f–%.4f | %+.1f%% |\n", NAMES[path], median, times[path][runs / 4] / 1e6,
               times[path][3 * runs / 4] / 1e6, (median / reference - 1) * 100);
    }
    return 0;
}
