package polybench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * HttpClient loads and initialises most of its send path (a few hundred classes: the exchange, the HTTP/1.1
 * parser, the selector thread's work, CompletableFuture stages) at the first send: measured here about 300 ms
 * for one call against about 15 ms per keep-alive call. That is client set-up, which the contract puts before
 * t_ready; the JDK has no API for it short of a call, so the client makes one GET through the same HttpClient to
 * a one-shot responder inside this JVM on loopback (never to the polybench server). Its cost stays in the
 * measured set-up phase. A bare ServerSocket, not com.sun.net.httpserver, so the warm-up loads little the
 * client itself does not use.
 */
final class Warmup {
    private static final byte[] RESPONSE =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
                    .getBytes(StandardCharsets.US_ASCII);

    private Warmup() {
    }

    static void sendPath(Bench bench) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread responder = new Thread(() -> answerOnce(listener), "polybench-warmup");
            responder.setDaemon(true);
            responder.start();
            URI uri = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
            HttpResponse<byte[]> response = bench.client.send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            Json.parse(new String(response.body(), StandardCharsets.UTF_8));
            responder.join();
        }
    }

    /** Reads one request's header block and answers {} with Connection: close. */
    private static void answerOnce(ServerSocket listener) {
        try (Socket socket = listener.accept()) {
            InputStream in = socket.getInputStream();
            for (int matched = 0, b; matched < 4 && (b = in.read()) >= 0; ) {
                matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            OutputStream out = socket.getOutputStream();
            out.write(RESPONSE);
            out.flush();
        } catch (IOException e) {
            // the client's send fails too, and set-up reports that
        }
    }
}
