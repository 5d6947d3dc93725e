package polybench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;

/** The HTTP side of a run: the one HttpClient every call goes through, built before t_ready. */
final class Bench {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A call that did not verify; its message names the call. */
    static final class CallFailed extends Exception {
        private static final long serialVersionUID = 1L;
        CallFailed(String message) {
            super(message, null, false, false);
        }
    }

    /** A response read whole (the small JSON bodies of every scenario but stream). */
    record Reply(String what, int status, HttpHeaders headers, byte[] nonce, String body) {
        CallFailed failed(String message) {
            return new CallFailed(what + ": " + message);
        }

        Reply expectStatus(int want) throws CallFailed {
            if (status != want) throw failed("status " + status + ", want " + want);
            return this;
        }

        Object json() throws CallFailed {
            try {
                return Json.parse(body);
            } catch (IllegalArgumentException e) {
                throw failed("body " + excerpt(body) + " is not JSON: " + e.getMessage());
            }
        }
    }

    final HttpClient client;
    private final String baseUrl;
    final String runId;
    private final boolean closeEach;
    private final Duration timeout;

    Bench(Args args, HttpClient client) {
        this.client = client;
        this.baseUrl = args.url;
        this.runId = args.runId;
        // sequential: a new connection per call. HttpClient pools every
        // connection; "Connection: close" (allowed by Main's
        // jdk.httpclient.allowRestrictedHeaders) makes it close each one.
        this.closeEach = args.scenario.equals("sequential");
        this.timeout = REQUEST_TIMEOUT.plusMillis(args.delayMs);
    }

    /** The client for args: HTTP/1.1 (the server speaks nothing else), trusting exactly --ca-file over https. */
    static HttpClient newClient(Args args) throws Exception {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1);
        if (args.https) builder.sslContext(Trust.onlyCa(args.caFile));
        return builder.build();
    }

    HttpRequest request(String method, String path, String jsonBody) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(timeout)
                .header("X-Polybench-Run", runId);
        if (closeEach) builder.header("Connection", "close");
        if (jsonBody == null) return builder.method(method, HttpRequest.BodyPublishers.noBody()).build();
        return builder.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(jsonBody)).build();
    }

    /** One request, the body read whole; a response without a valid nonce fails (it cannot be proved). */
    Reply call(String method, String path, String jsonBody, Report report) throws CallFailed {
        String what = method + " " + path;
        HttpResponse<byte[]> response;
        try {
            response = client.send(request(method, path, jsonBody), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new CallFailed(what + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallFailed(what + ": interrupted");
        }
        return reply(what, response, report);
    }

    static Reply reply(String what, HttpResponse<byte[]> response, Report report) throws CallFailed {
        report.addBytes(response.body().length);
        byte[] nonce = nonce(what, response.headers());
        return new Reply(what, response.statusCode(), response.headers(), nonce,
                new String(response.body(), StandardCharsets.UTF_8));
    }

    static byte[] nonce(String what, HttpHeaders headers) throws CallFailed {
        String value = headers.firstValue("X-Polybench-Nonce").orElse("");
        try {
            if (value.length() == 32) return HexFormat.of().parseHex(value);
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new CallFailed(what + ": header X-Polybench-Nonce \"" + value + "\" is not 32 hex digits");
    }

    static String excerpt(String body) {
        return Json.quote(body.length() > 120 ? body.substring(0, 120) + "..." : body);
    }
}
