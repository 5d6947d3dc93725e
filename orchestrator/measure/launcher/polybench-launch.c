/*
 * polybench-launch: start commands, wait for each, report its timing and rusage.
 *
 *   polybench-launch --serve [TMP_FOLDER]
 *       Long-lived: reads one request per command from stdin, answers on stdout.
 *       TMP_FOLDER: the children's private temporary folder (the caller sets
 *       TMPDIR and its kin to it): emptied after every run, once the run and
 *       all it started are reaped, timed out or not (a bundle that unpacks
 *       itself there and is killed at its limit leaves its copy behind). Never removed itself.
 *       Request:  TIMEOUT_MS \0 OUTPUT_LIMIT \0 REPEAT \0 STDOUT_PATH \0 STDERR_PATH \0 ARGC \0 ARG0 \0 ...
 *                 (OUTPUT_LIMIT: the most bytes the child may write to a
 *                 file, RLIMIT_FSIZE; 0 for no limit. REPEAT: run the
 *                 command this many times back to back, 1 or more)
 *       Answer:   one JSON line per run with the measurements once the child
 *                 has been reaped ("timed_out": true if its group was killed
 *                 at TIMEOUT_MS; "last": true on the request's last line).
 *                 The repeats stop early after a run that did not exit 0,
 *                 timed out or filled an output file to OUTPUT_LIMIT (that
 *                 run's line is then the last); each
 *                 run's output files are emptied before the next one, so they
 *                 hold the last run's output. Exits at end of input; on
 *                 SIGINT, SIGTERM or SIGHUP it kills the running child's
 *                 group first.
 *   polybench-launch RESULT_FD -- COMMAND [ARGS...]
 *       One-shot: runs one command with this process's stdio and writes the
 *       JSON line to RESULT_FD (for trying it by hand).
 *
 * Why a separate launcher instead of os.posix_spawn from Python: on Linux a
 * process's peak RSS (ru_maxrss) keeps the high-water mark of the memory map
 * it had before exec. A child spawned straight from the orchestrator (a
 * Python process of 40+ MB) therefore reports at least the orchestrator's
 * size, and a 5 MB Go client would read as 40 MB. Spawned from this ~1 MB
 * process, the child's ru_maxrss is its own.
 *
 * Why long-lived, and why REPEAT: it is how hyperfine measures (one small
 * process spawning children in a loop, its spawn path hot), and nothing else
 * runs while a child is timed: the time limit is enforced here (SIGALRM), so
 * the caller just sleeps on the answer pipe. With REPEAT the caller does not
 * even wake between runs (`invoke time`): its work between two runs (parsing
 * an answer, writing the next request) made the next run measurably slower.
 *
 * The timed window holds only posix_spawn and wait4: the clock is read just
 * before posix_spawn (the same spawn path as hyperfine's, glibc's vfork-style
 * clone) and just after wait4 returns the reaped child; the output files are
 * opened, the file-size limit set and the time limit armed before it starts.
 * Measured against `hyperfine -N`: docs/accuracy.md.
 *
 * Every child leads its own process group, so a timeout kills it and all it
 * started. Its stdin is /dev/null. A descendant can leave the group (setsid,
 * setpgid), so the launcher is also a child subreaper (PR_SET_CHILD_SUBREAPER):
 * whatever the child leaves running is re-parented here instead of to init,
 * and once the child is reaped every remaining descendant is killed and
 * reaped (sweep_descendants), timed out or not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_REQUEST (1 << 20)
#define MAX_ARGS 4096

/* The child being timed (its process group id), for the signal handlers. */
static volatile sig_atomic_t child_group = 0;
static volatile sig_atomic_t timed_out = 0;
/* The time limit ran out before the child's pid was known (armed before the clock). */
static volatile sig_atomic_t alarm_early = 0;

static void on_alarm(int signo) {
    (void)signo;
    if (child_group > 0) {
        timed_out = 1;
        kill(-child_group, SIGKILL);
    } else {
        alarm_early = 1;
    }
}

/* Kill and reap every process re-parented to this subreaper: read our
 * children from /proc, SIGKILL each (and its group), reap; repeat until none
 * is left, since a killed process's own children are re-parented here in
 * turn. Only async-signal-safe calls: on_stop uses it too. */
static char children_path[64]; /* /proc/PID/task/PID/children, set in main */

static void sweep_descendants(void) {
    for (int round = 0; round < 1000; round++) {
        char buffer[4096];
        int found = 0;
        /* the main thread's children: the launcher is single-threaded */
        int fd = open(children_path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ssize_t got;
            long pid = 0;
            int digits = 0;
            while ((got = read(fd, buffer, sizeof buffer)) > 0) {
                for (ssize_t i = 0; i < got; i++) {
                    if (buffer[i] >= '0' && buffer[i] <= '9') {
                        pid = pid * 10 + (buffer[i] - '0');
                        digits = 1;
                    } else if (digits) {
                        kill(-(pid_t)pid, SIGKILL);
                        kill((pid_t)pid, SIGKILL);
                        found = 1;
                        pid = 0;
                        digits = 0;
                    }
                }
            }
            if (digits) {
                kill(-(pid_t)pid, SIGKILL);
                kill((pid_t)pid, SIGKILL);
                found = 1;
            }
            close(fd);
        }
        /* reap whatever has exited (killed, or zombies re-parented here) */
        int reaped = 0;
        while (waitpid(-1, NULL, found ? 0 : WNOHANG) > 0) {
            reaped = 1;
            found = 0; /* one blocking wait per round, then drain without blocking */
        }
        if (!reaped && !found) return;
    }
}

/* The private temporary folder emptied after every run (NULL: none). */
static const char *tmp_folder = NULL;

static int remove_entry(const char *path, const struct stat *info, int flag, struct FTW *where) {
    (void)info;
    (void)flag;
    if (where->level > 0) remove(path); /* the folder itself stays */
    return 0;
}

/* Empty tmp_folder, not following symbolic links (a link is removed, not its target). */
static void empty_tmp_folder(void) {
    if (tmp_folder != NULL) nftw(tmp_folder, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void on_stop(int signo) {
    if (child_group > 0) kill(-child_group, SIGKILL);
    sweep_descendants();
    signal(signo, SIG_DFL);
    raise(signo);
}

static long long ns(const struct timespec *t) {
    return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long tv_ns(const struct timeval *t) {
    return (long long)t->tv_sec * 1000000000LL + (long long)t->tv_usec * 1000LL;
}

/* Whether a run filled an output file to the limit (it was cut off there). */
static int output_full(int fd, long long output_limit) {
    struct stat info;
    return fd >= 0 && output_limit > 0 && fstat(fd, &info) == 0 && S_ISREG(info.st_mode) &&
           info.st_size >= output_limit;
}

/* Spawn argv with the given file actions, reap it, write the JSON line to out.
 * out_fd, err_fd: the child's output files (-1: not ours to check), checked
 * against output_limit once it is reaped. Returns 0 for a run that exited 0
 * within its limits, 1 for any other run, 126 if it could not be started. */
static int measure(char **argv, posix_spawn_file_actions_t *actions, posix_spawnattr_t *attr, FILE *out,
                   long timeout_ms, int out_fd, int err_fd, long long output_limit, int last) {
    struct timespec epoch_start, mono_start, mono_end, epoch_end;
    pid_t pid;
    timed_out = 0;
    alarm_early = 0;
    child_group = 0;
    /* Armed before the clock starts, so nothing but the spawn and the wait is
     * timed; on_alarm notes a limit that ran out before the pid was known. */
    if (timeout_ms > 0) {
        struct itimerval limit = {{0, 0}, {timeout_ms / 1000, (timeout_ms % 1000) * 1000}};
        setitimer(ITIMER_REAL, &limit, NULL);
    }
    clock_gettime(CLOCK_REALTIME, &epoch_start);
    clock_gettime(CLOCK_MONOTONIC, &mono_start);
    int rc = posix_spawnp(&pid, argv[0], actions, attr, argv, environ);
    if (rc != 0) {
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
        fprintf(out, "{\"spawn_error\": \"%s\", \"last\": true}\n", strerror(rc));
        fflush(out);
        return 126;
    }
    child_group = pid;
    if (alarm_early) {
        timed_out = 1;
        kill(-pid, SIGKILL);
    }
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fprintf(out, "{\"spawn_error\": \"wait4: %s\", \"last\": true}\n", strerror(errno));
            fflush(out);
            return 126;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &mono_end);
    clock_gettime(CLOCK_REALTIME, &epoch_end);
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    kill(-pid, SIGKILL); /* anything the child left running in its group goes too */
    child_group = 0;
    sweep_descendants(); /* and anything that left the group (setsid) */
    empty_tmp_folder();  /* after the clock: nothing the child left there reaches the next run */
    int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    int failed = exit_code != 0 || timed_out || output_full(out_fd, output_limit) ||
                 output_full(err_fd, output_limit);
    fprintf(out,
            "{\"exit_code\": %d, \"wall_ns\": %lld, \"spawn_epoch_ns\": %lld, \"reap_epoch_ns\": %lld, "
            "\"user_ns\": %lld, \"sys_ns\": %lld, \"peak_rss_kib\": %ld, \"timed_out\": %s, \"last\": %s}\n",
            exit_code, ns(&mono_end) - ns(&mono_start), ns(&epoch_start), ns(&epoch_end),
            tv_ns(&usage.ru_utime), tv_ns(&usage.ru_stime), usage.ru_maxrss, timed_out ? "true" : "false",
            last || failed ? "true" : "false");
    /* One write per batch, not per run: the caller then sleeps through the
     * whole batch instead of waking on every line to compete with the next
     * timed run for the CPU (2 cores: it measurably slowed `true`). */
    if (last || failed) fflush(out);
    return failed ? 1 : 0;
}

/* Inherited by every child: it (and what it starts) cannot write more than
 * output_limit bytes to a file; this process writes no regular files. */
static void limit_output(long long output_limit) {
    struct rlimit fsize;
    getrlimit(RLIMIT_FSIZE, &fsize);
    fsize.rlim_cur = output_limit > 0 && (fsize.rlim_max == RLIM_INFINITY || (rlim_t)output_limit < fsize.rlim_max)
                         ? (rlim_t)output_limit : fsize.rlim_max;
    setrlimit(RLIMIT_FSIZE, &fsize);
}

/* Empty an output file for the next run (a no-op on /dev/null). */
static void rewind_output(int fd) {
    if (ftruncate(fd, 0) == 0) lseek(fd, 0, SEEK_SET);
}

/* Read one NUL-terminated field from stdin into buf; 0 at clean end of input. */
static int read_field(char *buf, size_t size, size_t *used, char **field) {
    *field = buf + *used;
    for (;;) {
        if (*used >= size) return -1;
        int c = getchar();
        if (c == EOF) return (buf + *used == *field) ? 0 : -1;
        buf[(*used)++] = (char)c;
        if (c == '\0') return 1;
    }
}

static int serve(void) {
    static char buffer[MAX_REQUEST];
    static char *argv[MAX_ARGS + 1];
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devnull < 0) {
        fprintf(stderr, "polybench-launch: cannot open /dev/null\n");
        return 125;
    }
    /* Room for a whole batch's answer lines (about 250 bytes each), written at its end. */
    static char answers[1 << 21];
    setvbuf(stdout, answers, _IOFBF, sizeof answers);
    for (;;) {
        size_t used = 0;
        char *timeout_text, *limit_text, *repeat_text, *out_path, *err_path, *count;
        int got = read_field(buffer, sizeof buffer, &used, &timeout_text);
        if (got == 0) return 0; /* the caller closed our stdin: done */
        if (got < 0 || read_field(buffer, sizeof buffer, &used, &limit_text) <= 0 ||
            read_field(buffer, sizeof buffer, &used, &repeat_text) <= 0 ||
            read_field(buffer, sizeof buffer, &used, &out_path) <= 0 ||
            read_field(buffer, sizeof buffer, &used, &err_path) <= 0 ||
            read_field(buffer, sizeof buffer, &used, &count) <= 0) {
            fprintf(stderr, "polybench-launch: malformed request\n");
            return 125;
        }
        int argc = atoi(count);
        if (argc < 1 || argc > MAX_ARGS) {
            fprintf(stderr, "polybench-launch: bad argument count %s\n", count);
            return 125;
        }
        for (int i = 0; i < argc; i++) {
            if (read_field(buffer, sizeof buffer, &used, &argv[i]) <= 0) {
                fprintf(stderr, "polybench-launch: request cut short\n");
                return 125;
            }
        }
        argv[argc] = NULL;
        long repeat = atol(repeat_text);
        if (repeat < 1) {
            fprintf(stderr, "polybench-launch: bad repeat count %s\n", repeat_text);
            return 125;
        }
        /* Opened here, before the clock starts: in the timed spawn the child
         * only dup2s them (creating or truncating a file is not the client's cost). */
        int out_fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (out_fd < 0 || err_fd < 0) {
            fprintf(stdout, "{\"spawn_error\": \"cannot open output files: %s\"}\n", strerror(errno));
            fflush(stdout);
            if (out_fd >= 0) close(out_fd);
            if (err_fd >= 0) close(err_fd);
            continue;
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, devnull, 0);
        posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
        posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
        long long output_limit = atoll(limit_text);
        limit_output(output_limit);
        long timeout_ms = atol(timeout_text);
        for (long run = 1; run <= repeat; run++) {
            if (run > 1) {
                rewind_output(out_fd);
                rewind_output(err_fd);
            }
            if (measure(argv, &actions, &attr, stdout, timeout_ms, out_fd, err_fd, output_limit, run == repeat) != 0)
                break;
        }
        posix_spawn_file_actions_destroy(&actions);
        close(out_fd);
        close(err_fd);
    }
}

int main(int argc, char **argv) {
    struct sigaction alarm_action = {0};
    alarm_action.sa_handler = on_alarm; /* no SA_RESTART: wait4 sees EINTR and retries */
    sigaction(SIGALRM, &alarm_action, NULL);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    signal(SIGHUP, on_stop);
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    snprintf(children_path, sizeof children_path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
    if ((argc == 2 || argc == 3) && strcmp(argv[1], "--serve") == 0) {
        if (argc == 3) tmp_folder = argv[2];
        return serve();
    }
    if (argc < 4 || strcmp(argv[2], "--") != 0) {
        fprintf(stderr, "usage: polybench-launch --serve [TMP_FOLDER] | polybench-launch RESULT_FD -- COMMAND [ARGS...]\n");
        return 125;
    }
    int result_fd = atoi(argv[1]);
    FILE *out = result_fd >= 3 ? fdopen(result_fd, "w") : NULL;
    if (out == NULL) {
        fprintf(stderr, "polybench-launch: RESULT_FD must be an open descriptor of 3 or more\n");
        return 125;
    }
    fcntl(result_fd, F_SETFD, FD_CLOEXEC);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);
    int outcome = measure(&argv[3], &actions, &attr, out, 0, -1, -1, 0, 1);
    return outcome == 126 ? 126 : 0;
}
