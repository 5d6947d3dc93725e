package polybench;

import java.util.List;
import java.util.regex.Pattern;

/** The contract's command line (docs/contract.md), parsed without a library: start-up is what is measured. */
final class Args {
    static final String USAGE = "SCENARIO --url URL --run-id ID [--requests N] [--concurrency C] [--delay-ms D]"
            + " [--bytes B] [--ca-file PATH]";
    static final List<String> SCENARIOS = List.of("single", "sequential", "keepalive", "concurrent", "stream", "rest");
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern URL = Pattern.compile("(https?)://[A-Za-z0-9.:\\[\\]-]+"); // host[:port], nothing else

    /** A bad command line: the message for stderr and the exit code (2 usage, 3 unsupported scenario). */
    static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        UsageError(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }
    }

    String scenario;
    String url;
    String runId;
    String caFile;
    boolean https;
    int requests = 1;
    int concurrency = 1;
    int delayMs = 0;
    long bytes = 1 << 20;

    static Args parse(String[] argv) throws UsageError {
        if (argv.length == 0) throw usage("missing SCENARIO");
        Args args = new Args();
        args.scenario = argv[0];
        if (args.scenario.startsWith("-")) throw usage("SCENARIO must come first, got " + args.scenario);
        if (!SCENARIOS.contains(args.scenario)) {
            throw new UsageError("unsupported scenario " + args.scenario, Main.EXIT_UNSUPPORTED);
        }
        for (int i = 1; i < argv.length; i += 2) {
            String flag = argv[i];
            if (i + 1 >= argv.length) throw usage("missing value for " + flag);
            String value = argv[i + 1];
            switch (flag) {
                case "--url" -> args.url = value;
                case "--run-id" -> args.runId = value;
                case "--ca-file" -> args.caFile = value;
                case "--requests" -> args.requests = (int) number(flag, value, 1, Integer.MAX_VALUE);
                case "--concurrency" -> args.concurrency = (int) number(flag, value, 1, Integer.MAX_VALUE);
                case "--delay-ms" -> args.delayMs = (int) number(flag, value, 0, Integer.MAX_VALUE);
                case "--bytes" -> args.bytes = number(flag, value, 0, Long.MAX_VALUE);
                default -> throw usage("unknown flag " + flag);
            }
        }
        if (args.url == null) throw usage("--url is required");
        var match = URL.matcher(args.url);
        if (!match.matches()) throw usage("--url must be an http(s) URL with no path or trailing slash, got " + args.url);
        args.https = match.group(1).equals("https");
        if (args.https && args.caFile == null) throw usage("an https:// --url needs --ca-file (the CA to trust)");
        if (args.runId == null || !RUN_ID.matcher(args.runId).matches()) {
            throw usage("--run-id must match [A-Za-z0-9._-]{1,64}, got " + args.runId);
        }
        return args;
    }

    /** The number of calls the scenario makes. */
    int expectedCalls() {
        return switch (scenario) {
            case "sequential", "keepalive", "concurrent" -> requests;
            case "rest" -> Rest.CALLS;
            default -> 1;
        };
    }

    private static long number(String flag, String value, long min, long max) throws UsageError {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw usage(flag + " must be a whole number >= " + min + ", got " + value);
    }

    private static UsageError usage(String message) {
        return new UsageError(message, Main.EXIT_USAGE);
    }
}
