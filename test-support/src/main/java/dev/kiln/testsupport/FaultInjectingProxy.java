package dev.kiln.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;

/**
 * A loopback HTTP proxy in front of a real registry that answers some requests with an error ({@code 503} unless told
 * otherwise) instead of forwarding them: fault injection for the retry and refusal paths. Everything else reaches the real registry unchanged
 * ({@code Location} headers are rewritten to point back at the proxy). {@link #outageFor} makes it answer every request
 * with the error for a while: a registry that is away.
 */
public final class FaultInjectingProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "content-length", "host", "transfer-encoding",
            "upgrade", "expect", "keep-alive");

    static {
        // Jib tries HTTPS first; the JDK server would wait for a request line in the TLS hello forever. Closing a
        // connection that sends no request within a second makes Jib fall back to plain HTTP, as with the registry.
        System.setProperty("sun.net.httpserver.maxReqTime", "1");
    }

    private final HttpServer server;
    private final String target;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final BiPredicate<String, String> fails;
    private final AtomicInteger budget;
    private final int status;
    private final AtomicInteger injected = new AtomicInteger();
    private volatile long outageUntil = System.nanoTime();

    /**
     * @param target       the real registry's base URL
     * @param fails        which requests (method, path) get a 503
     * @param maxFailures  how many 503s to answer at most ({@code Integer.MAX_VALUE} for always)
     */
    public FaultInjectingProxy(String target, BiPredicate<String, String> fails, int maxFailures) throws IOException {
        this(target, fails, maxFailures, 503);
    }

    /** As above, answering {@code status} (with a distribution-style error body) instead of 503. */
    public FaultInjectingProxy(String target, BiPredicate<String, String> fails, int maxFailures, int status) throws IOException {
        this.target = target.replaceAll("/+$", "");
        this.fails = fails;
        this.budget = new AtomicInteger(maxFailures);
        this.status = status;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    /** A proxy that forwards everything until told otherwise ({@link #outageFor}). */
    public static FaultInjectingProxy forwarding(String target) throws IOException {
        return new FaultInjectingProxy(target, (method, path) -> false, 0);
    }

    /** Answers every request with the error (503 unless told otherwise) for {@code duration} from now. */
    public void outageFor(java.time.Duration duration) {
        outageUntil = System.nanoTime() + duration.toNanos();
    }

    /** From now on every request is forwarded: the failure budget is spent and any outage ends. */
    public void heal() {
        budget.set(0);
        outageUntil = System.nanoTime();
    }

    public String hostPort() {
        return "localhost:" + server.getAddress().getPort();
    }

    public String url() {
        return "http://" + hostPort();
    }

    /** How many errors were answered. */
    public int injected() {
        return injected.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            boolean outage = System.nanoTime() - outageUntil < 0;
            if (outage || (fails.test(method, path) && budget.getAndDecrement() > 0)) {
                injected.incrementAndGet();
                String code = switch (status) {
                    case 400 -> "MANIFEST_INVALID";
                    case 403 -> "DENIED";
                    default -> "UNAVAILABLE";
                };
                byte[] body = ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"injected fault\"}]}").getBytes();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(status, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            String query = exchange.getRequestURI().getRawQuery();
            URI uri = URI.create(target + path + (query == null ? "" : "?" + query));
            byte[] requestBody;
            try (InputStream in = exchange.getRequestBody()) {
                requestBody = in.readAllBytes();
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, requestBody.length == 0
                    ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(requestBody));
            for (Map.Entry<String, List<String>> h : exchange.getRequestHeaders().entrySet()) {
                if (!HOP_BY_HOP.contains(h.getKey().toLowerCase())) {
                    h.getValue().forEach(v -> request.header(h.getKey(), v));
                }
            }
            HttpResponse<byte[]> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            response.headers().map().forEach((name, values) -> {
                if (!HOP_BY_HOP.contains(name.toLowerCase()) && !name.startsWith(":")) {
                    values.forEach(v -> exchange.getResponseHeaders().add(name,
                            name.equalsIgnoreCase("Location") ? v.replace(target, url()) : v));
                }
            });
            byte[] body = response.body();
            boolean head = method.equals("HEAD");
            if (head) {
                response.headers().firstValue("Content-Length")
                        .ifPresent(l -> exchange.getResponseHeaders().set("Content-Length", l));
            }
            exchange.sendResponseHeaders(response.statusCode(), head || body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
