package polybench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A stand-in for the polybench server inside the JVM, on loopback: the same paths and response shapes (with a
 * nonce header), for the warm-up before t_ready and the class-data-sharing training run. Never a measured server.
 */
final class TrainServer implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final HttpServer server;
    private String user; // the one user of /users/1, as JSON, or null

    TrainServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            byte[] input = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("X-Polybench-Nonce", HexFormat.of().formatHex(RANDOM.generateSeed(16)));
            if (path.equals("/api")) {
                send(exchange, 200, "{\"message\": \"GET request received\", \"data\": [1, 2, 3]}");
            } else if (path.startsWith("/delay/")) {
                send(exchange, 200, "{\"delay_ms\": " + Long.parseLong(path.substring(7)) + "}");
            } else if (path.startsWith("/bytes/")) {
                long size = Long.parseLong(path.substring(7));
                exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
                byte[] chunk = new byte[64 * 1024];
                try (OutputStream body = exchange.getResponseBody()) {
                    for (long left = size; left > 0; left -= chunk.length) body.write(chunk, 0, (int) Math.min(left, chunk.length));
                }
            } else if (path.equals("/users") && method.equals("POST")) {
                user = withLinks(new String(input, StandardCharsets.UTF_8));
                exchange.getResponseHeaders().set("Location", "/users/1");
                send(exchange, 201, user);
            } else if (path.equals("/users/1") && user != null && !method.equals("DELETE")) {
                if (method.equals("PUT")) user = withLinks(new String(input, StandardCharsets.UTF_8));
                send(exchange, 200, user);
            } else if (path.equals("/users/1") && user != null) {
                user = null;
                exchange.sendResponseHeaders(204, -1);
            } else {
                send(exchange, 404, "{\"error\": \"not found\"}");
            }
        }
    }

    /** The user's JSON {"name", "email"} with an id and its link added. */
    private static String withLinks(String input) {
        return "{\"id\": 1, \"_links\": {\"self\": {\"href\": \"/users/1\"}}, " + input.substring(input.indexOf('{') + 1);
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }
}
