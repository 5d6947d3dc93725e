//! What hyperfine -N's timed window holds, rebuilt piece by piece (std only, no crates).
//!
//!     rustc -O -o build/hyperfine_window benchmarks/hyperfine_window.rs   (benchmarks/accuracy.py does this when needed)
//!     build/hyperfine_window PARTS RUNS WARMUP OUT_FILE PROGRAM [ARGS...]
//!
//! Runs PROGRAM RUNS times after WARMUP untimed runs and writes every run's
//! wall time in nanoseconds to OUT_FILE, one per line (not to stdout, which
//! the child inherits in `bare`). PARTS is `bare` or a
//! comma-separated subset of what hyperfine 1.15's `execute_and_measure`
//! does inside its wall-clock window besides spawning and reaping the child
//! (traced with strace: `getrusage`, three opens of /dev/null, six
//! `RLIMIT_NOFILE` reads, then glibc's posix_spawn, three closes, `wait4`,
//! `getrusage`):
//!
//! - `null`: stdin, stdout and stderr are `Stdio::null()`: Rust's std opens
//!   /dev/null three times per spawn, adds three dup2 file actions (each
//!   reads `RLIMIT_NOFILE` in glibc) and closes the three after the spawn;
//! - `env`: the command carries `HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET`
//!   (0 to 4095 `X`s, new per run, as hyperfine sets it): std then builds
//!   a fresh environment block per spawn instead of passing `environ`, and
//!   the child's exec copies the longer block;
//! - `rusage`: `getrusage(RUSAGE_CHILDREN)` after the clock starts and before
//!   it stops (hyperfine's CPU timer).
//!
//! `null,env,rusage` is hyperfine's window; `bare` is `Command::status()`
//! with inherited stdio and environment (the caller points them at
//! /dev/null), the nearest std gets to polybench's launcher, whose window
//! holds only `posix_spawn` and `wait4`. Like hyperfine, a new `Command`
//! is built for every run, outside the window.

use std::process::{Command, Stdio};
use std::time::{Instant, SystemTime};

#[repr(C)]
struct Rusage {
    fields: [i64; 18], // struct rusage on x86_64 Linux: 2 timevals + 14 longs
}

extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

const RUSAGE_CHILDREN: i32 = -1;

fn children_rusage() -> i64 {
    let mut usage = Rusage { fields: [0; 18] };
    unsafe { getrusage(RUSAGE_CHILDREN, &mut usage) };
    usage.fields[0] + usage.fields[2] // seconds of user and system time, read so it is not optimised out
}

struct Parts {
    null: bool,
    env: bool,
    rusage: bool,
}

/// xorshift64: std has no random numbers; the offset only needs to vary.
struct Offsets(u64);

impl Offsets {
    fn next_len(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 4096) as usize
    }
}

fn one_run(program: &str, args: &[String], parts: &Parts, offsets: &mut Offsets, sink: &mut i64) -> u128 {
    let mut command = Command::new(program);
    command.args(args);
    if parts.null {
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    }
    if parts.env {
        command.env("HYPERFINE_RANDOMIZED_ENVIRONMENT_OFFSET", "X".repeat(offsets.next_len()));
    }
    let start = Instant::now();
    if parts.rusage {
        *sink += children_rusage();
    }
    let status = command.status().expect("spawn failed");
    if parts.rusage {
        *sink += children_rusage();
    }
    let wall = start.elapsed().as_nanos();
    if !status.success() {
        eprintln!("hyperfine_window: {program} exited with {status}");
        std::process::exit(1);
    }
    wall
}

fn main() {
    let argv: Vec<String> = std::env::args().collect();
    if argv.len() < 6 {
        eprintln!("usage: hyperfine_window PARTS RUNS WARMUP OUT_FILE PROGRAM [ARGS...]  (PARTS: bare or null,env,rusage)");
        std::process::exit(2);
    }
    let wanted: Vec<&str> = if argv[1] == "bare" { vec![] } else { argv[1].split(',').collect() };
    if let Some(bad) = wanted.iter().find(|p| !["null", "env", "rusage"].contains(p)) {
        eprintln!("hyperfine_window: unknown part {bad}");
        std::process::exit(2);
    }
    let parts = Parts { null: wanted.contains(&"null"), env: wanted.contains(&"env"), rusage: wanted.contains(&"rusage") };
    let runs: usize = argv[2].parse().expect("RUNS");
    let warmup: usize = argv[3].parse().expect("WARMUP");
    let seed = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut offsets = Offsets(seed);
    let mut sink = 0i64;
    for _ in 0..warmup {
        one_run(&argv[5], &argv[6..], &parts, &mut offsets, &mut sink);
    }
    let walls: Vec<u128> = (0..runs).map(|_| one_run(&argv[5], &argv[6..], &parts, &mut offsets, &mut sink)).collect();
    let text: Vec<String> = walls.iter().map(|w| w.to_string()).collect();
    std::fs::write(&argv[4], text.join("\n") + "\n").expect("cannot write OUT_FILE");
    if sink < 0 {
        eprintln!("{sink}");
    }
}
