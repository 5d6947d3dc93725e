package polybench;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The contract's output line: counts, the receipt (XOR of verified nonces), the phase timestamps. */
final class Report {
    private static final int MAX_ERRORS = 10;

    final String client;
    final String scenario;
    final int requests;
    final long tEntryNs;
    long tReadyNs;
    long tDoneNs;
    private int ok;
    private long bytes;
    private String sha256;
    private final byte[] receipt = new byte[16];
    private final List<String> errors = new ArrayList<>();

    Report(String client, String scenario, int requests, long tEntryNs) {
        this.client = client;
        this.scenario = scenario;
        this.requests = requests;
        this.tEntryNs = tEntryNs;
    }

    /** Counts a verified call and folds its nonce into the receipt (thread-safe: concurrent calls finish anywhere). */
    synchronized void ok(byte[] nonce) {
        ok++;
        for (int i = 0; i < receipt.length; i++) receipt[i] ^= nonce[i];
    }

    synchronized void fail(String message) {
        if (errors.size() < MAX_ERRORS) errors.add(message);
    }

    synchronized void addBytes(long n) {
        bytes += n;
    }

    synchronized void sha256(String hex) {
        sha256 = hex;
    }

    synchronized int verified() {
        return ok;
    }

    /** The JSON line. */
    synchronized String line(String library) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"client\":").append(Json.quote(client))
                .append(",\"library\":").append(Json.quote(library))
                .append(",\"scenario\":").append(Json.quote(scenario))
                .append(",\"requests\":").append(requests)
                .append(",\"ok\":").append(ok)
                .append(",\"bytes\":").append(bytes)
                .append(",\"sha256\":").append(sha256 == null ? "null" : Json.quote(sha256))
                .append(",\"receipt\":\"").append(HexFormat.of().formatHex(receipt)).append('"')
                .append(",\"errors\":[");
        for (int i = 0; i < errors.size(); i++) out.append(i == 0 ? "" : ",").append(Json.quote(errors.get(i)));
        out.append("],\"t_entry_ns\":").append(tEntryNs)
                .append(",\"t_ready_ns\":").append(tReadyNs)
                .append(",\"t_done_ns\":").append(tDoneNs).append('}');
        return out.toString();
    }
}
