package polybench;

import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The class-data-sharing training run (`--train`): every plain-http scenario against a TrainServer inside this
 * JVM, so -XX:ArchiveClassesAtExit records the classes a real run loads, with no polybench server needed at build
 * time. TLS classes beyond what set-up loads are not exercised (the training server has no certificate).
 */
final class Train {
    private static final String[][] CASES = {
        {"single"}, {"sequential", "--requests", "3"}, {"keepalive", "--requests", "3"},
        {"concurrent", "--requests", "4", "--concurrency", "4", "--delay-ms", "0"},
        {"stream", "--bytes", "1048576"}, {"rest"},
    };

    private Train() {
    }

    /** Runs every case; 0 when each one verified, else 1 (the build fails). */
    static int run() throws Exception {
        int failed = 0;
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        try (TrainServer server = new TrainServer()) {
            for (String[] scenario : CASES) {
                String[] argv = new String[scenario.length + 4];
                System.arraycopy(scenario, 0, argv, 0, scenario.length);
                System.arraycopy(new String[] {"--url", server.url(), "--run-id", "train"}, 0, argv, scenario.length, 4);
                int code = Main.run(Args.parse(argv), Main.nowNs(), discard);
                System.err.println("java-httpclient --train: " + scenario[0] + (code == 0 ? " ok" : " FAILED"));
                if (code != 0) failed++;
            }
        }
        return failed == 0 ? Main.EXIT_OK : Main.EXIT_FAILED;
    }
}
