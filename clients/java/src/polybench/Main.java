package polybench;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.time.Instant;

/**
 * java-httpclient: polybench's Java client, the JDK's java.net.http.HttpClient used the way an ordinary program
 * would. Implements docs/contract.md; `--train` (Train) is the class-data-sharing training run, not a scenario.
 */
public final class Main {
    /** The name the run reports: the CDS variant runs the same jar as java-httpclient-cds (-Dpolybench.client). */
    static final String CLIENT = System.getProperty("polybench.client", "java-httpclient");
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_UNSUPPORTED = 3;

    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        Instant entry = Instant.now(); // first statement; the JVM's own start-up is before it
        long tEntryNs = entry.getEpochSecond() * 1_000_000_000L + entry.getNano();
        // Lets sequential send "Connection: close" (a restricted header by default); read once, when the
        // HttpClient implementation loads, so it is set before anything touches it.
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "connection");
        if (argv.length > 0 && argv[0].equals("--train")) {
            System.exit(Train.run());
        }
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.println("usage: " + CLIENT + " " + Args.USAGE);
            System.exit(EXIT_OK);
        }
        Args args;
        try {
            args = Args.parse(argv);
        } catch (Args.UsageError e) {
            String usage = e.exitCode == EXIT_USAGE ? " (usage: " + CLIENT + " " + Args.USAGE + ")" : "";
            // one line, whatever the arguments held
            System.err.println(CLIENT + ": " + e.getMessage().replaceAll("\\p{Cntrl}", "?") + usage);
            System.exit(e.exitCode);
            return;
        }
        System.exit(run(args, tEntryNs, System.out));
    }

    /** One scenario: set-up, calls, the JSON line on out; returns the exit code. */
    static int run(Args args, long tEntryNs, PrintStream out) throws Exception {
        Report report = new Report(CLIENT, args.scenario, args.expectedCalls(), tEntryNs);
        Bench bench = null;
        try {
            HttpClient client = Bench.newClient(args);
            bench = new Bench(args, client);
            Warmup.sendPath(bench);
        } catch (Exception e) {
            report.fail("set-up: " + e); // no client without its trust set-up: every call counts as failed
        }
        report.tReadyNs = nowNs();
        if (bench != null) Scenarios.run(bench, args, report);
        report.tDoneNs = nowNs();
        out.println(report.line("java.net.http " + System.getProperty("java.version")));
        out.flush();
        return report.verified() == report.requests && !out.checkError() ? EXIT_OK : EXIT_FAILED;
    }

    static long nowNs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
