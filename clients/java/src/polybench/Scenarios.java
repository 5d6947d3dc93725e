package polybench;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/** The contract's scenarios over one Bench; every call is recorded in the Report. */
final class Scenarios {
    static final Map<String, Object> API_PAYLOAD = Map.of("message", "GET request received", "data", List.of(1L, 2L, 3L));
    private static final int STREAM_CHUNK = 64 * 1024;

    private Scenarios() {
    }

    static void run(Bench bench, Args args, Report report) throws Exception {
        switch (args.scenario) {
            // sequential and keepalive are the same loop: Bench decides whether each call gets a new connection.
            case "single", "sequential", "keepalive" -> {
                for (int i = 0; i < report.requests; i++) checkGet(bench, "/api", API_PAYLOAD, report);
            }
            case "concurrent" -> concurrent(bench, args, report);
            case "stream" -> stream(bench, args.bytes, report);
            case "rest" -> Rest.run(bench, report);
            default -> throw new IllegalStateException(args.scenario);
        }
    }

    static void checkGet(Bench bench, String path, Object want, Report report) {
        try {
            verify(bench.call("GET", path, null, report), want, report);
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
    }

    private static void verify(Bench.Reply reply, Object want, Report report) throws Bench.CallFailed {
        Object got = reply.expectStatus(200).json();
        if (!want.equals(got)) throw reply.failed("body " + Bench.excerpt(reply.body()) + ", not the expected payload");
        report.ok(reply.nonce());
    }

    /** N GET /delay/D through sendAsync, at most C in flight (a semaphore); HttpClient's pool has no limit. */
    static void concurrent(Bench bench, Args args, Report report) throws InterruptedException {
        String path = "/delay/" + args.delayMs;
        Object want = Map.of("delay_ms", (long) args.delayMs);
        Semaphore slots = new Semaphore(args.concurrency);
        CompletableFuture<?>[] calls = new CompletableFuture<?>[args.requests];
        for (int i = 0; i < args.requests; i++) {
            slots.acquire();
            calls[i] = bench.client.sendAsync(bench.request("GET", path, null), HttpResponse.BodyHandlers.ofByteArray())
                    .handle((response, error) -> {
                        slots.release();
                        try {
                            if (error != null) throw new Bench.CallFailed("GET " + path + ": " + error);
                            verify(Bench.reply("GET " + path, response, report), want, report);
                        } catch (Bench.CallFailed e) {
                            report.fail(e.getMessage());
                        }
                        return null;
                    });
        }
        CompletableFuture.allOf(calls).join();
    }

    /** One GET /bytes/B read in 64 KiB chunks through SHA-256; the server checks the digest. */
    static void stream(Bench bench, long size, Report report) throws NoSuchAlgorithmException, InterruptedException {
        String what = "GET /bytes/" + size;
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try {
            HttpResponse<InputStream> response = bench.client.send(
                    bench.request("GET", "/bytes/" + size, null), HttpResponse.BodyHandlers.ofInputStream());
            long read = 0;
            try (InputStream body = response.body()) {
                byte[] chunk = new byte[STREAM_CHUNK];
                for (int n; (n = body.read(chunk)) >= 0; ) {
                    sha.update(chunk, 0, n);
                    read += n;
                }
            } finally {
                report.addBytes(read);
            }
            if (response.statusCode() != 200) throw new Bench.CallFailed(what + ": status " + response.statusCode() + ", want 200");
            report.sha256(HexFormat.of().formatHex(sha.digest()));
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (length != size) throw new Bench.CallFailed(what + ": Content-Length " + length + ", want " + size);
            if (read != size) throw new Bench.CallFailed(what + ": read " + read + " bytes, want " + size);
            report.ok(Bench.nonce(what, response.headers()));
        } catch (IOException e) {
            report.fail(what + ": " + e);
        } catch (Bench.CallFailed e) {
            report.fail(e.getMessage());
        }
    }
}
