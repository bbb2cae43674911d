package dev.kiln.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in for build-submission's REST API with canned answers, so that the CLI's own logic can be tested:
 * builds go SUBMITTED → BUILDING → … on successive polls. Which story a build tells depends on its id:
 * {@code b-ok} and {@code b-scratch} complete, {@code b-fail} fails, {@code b-canceled} is canceled,
 * {@code b-slow} never ends, {@code b-500} is a server error, anything else is 404.
 */
final class FakeHub implements AutoCloseable {

    static final String T0 = "2025-01-01T10:00:00Z";

    private final HttpServer server;
    final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    final List<byte[]> contexts = new CopyOnWriteArrayList<>();
    final List<String> contextTypes = new CopyOnWriteArrayList<>();
    final List<String> contextLengths = new CopyOnWriteArrayList<>();
    final List<String> submissions = new CopyOnWriteArrayList<>();
    final List<String> listQueries = new CopyOnWriteArrayList<>();

    FakeHub() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/contexts", this::contexts);
        server.createContext("/api/v1/builds", this::builds);
        server.start();
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    void reset() {
        polls.clear();
        contexts.clear();
        contextTypes.clear();
        contextLengths.clear();
        submissions.clear();
        listQueries.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void contexts(HttpExchange x) throws IOException {
        if (!x.getRequestMethod().equals("POST")) {
            send(x, 405, problem("Method Not Allowed", 405, "only POST"));
            return;
        }
        contexts.add(x.getRequestBody().readAllBytes());
        contextTypes.add(x.getRequestHeaders().getFirst("Content-Type"));
        contextLengths.add(String.valueOf(x.getRequestHeaders().getFirst("Content-Length")));
        send(x, 201, "{\"digest\":\"sha256:" + "c".repeat(64) + "\"}");
    }

    private void builds(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        if (x.getRequestMethod().equals("POST") && path.equals("/api/v1/builds")) {
            String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            submissions.add(body);
            if (body.contains("\"component\":\"forbidden\"")) {
                send(x, 403, problem("Component not owned", 403, "alice may not build forbidden"));
                return;
            }
            String id = body.contains("\"scratch\":true") ? "b-scratch"
                    : body.contains("\"component\":\"broken\"") ? "b-fail"
                    : body.contains("\"component\":\"slow\"") ? "b-slow"
                    : body.contains("\"component\":\"crash\"") ? "b-500"
                    : "b-ok";
            polls.remove(id);
            send(x, 201, record(id, 1));
            return;
        }
        if (x.getRequestMethod().equals("GET") && path.equals("/api/v1/builds")) {
            listQueries.add(x.getRequestURI().getRawQuery());
            send(x, 200, "[" + record("b-ok", 3) + "," + record("b-fail", 3) + "]");
            return;
        }
        if (x.getRequestMethod().equals("GET") && path.startsWith("/api/v1/builds/")) {
            String id = path.substring("/api/v1/builds/".length());
            if (id.equals("b-500")) {
                send(x, 500, problem("Internal Server Error", 500, "database is down"));
                return;
            }
            if (!List.of("b-ok", "b-scratch", "b-fail", "b-canceled", "b-slow").contains(id)) {
                send(x, 404, problem("Build not found", 404, "no build with id " + id));
                return;
            }
            int poll = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            send(x, 200, record(id, poll));
            return;
        }
        send(x, 404, problem("Not Found", 404, path));
    }

    /** The record of build {@code id} as it looks at the given poll (1 = as submitted). */
    static String record(String id, int poll) {
        boolean scratch = id.equals("b-scratch");
        String component = id.equals("b-fail") ? "broken" : "hello";
        StringBuilder history = new StringBuilder("{\"state\":\"SUBMITTED\",\"at\":\"" + T0 + "\"}");
        String state = "SUBMITTED";
        if (poll >= 2) {
            history.append(",{\"state\":\"BUILDING\",\"at\":\"2025-01-01T10:00:01.500Z\"}");
            state = "BUILDING";
        }
        String failure = "";
        String images = "";
        if (poll >= 3) {
            switch (id) {
                case "b-ok", "b-scratch" -> {
                    history.append(",{\"state\":\"PUSHED\",\"at\":\"2025-01-01T10:00:05Z\"}")
                            .append(",{\"state\":\"COMPLETE\",\"at\":\"2025-01-01T10:00:12.300Z\"}");
                    state = "COMPLETE";
                    images = ",\"candidate\":{\"registry\":\"localhost:5000\",\"repository\":\"hello\","
                            + "\"digest\":\"sha256:" + "a".repeat(64) + "\",\"tags\":[\"" + (scratch
                                    ? "scratch-" + id : "1.0-1") + "\"],\"reference\":\"localhost:5000/hello@sha256:"
                            + "a".repeat(64) + "\"}";
                    if (!scratch) {
                        images += ",\"promoted\":{\"registry\":\"localhost:5001\",\"repository\":\"hello\","
                                + "\"digest\":\"sha256:" + "a".repeat(64) + "\",\"tags\":[\"1.0-1\",\"1.0\","
                                + "\"latest\"],\"reference\":\"localhost:5001/hello@sha256:" + "a".repeat(64)
                                + "\"}";
                    }
                }
                case "b-fail" -> {
                    history.append(",{\"state\":\"FAILED\",\"at\":\"2025-01-01T10:00:03Z\"}");
                    state = "FAILED";
                    failure = ",\"failure\":{\"stage\":\"build\",\"reason\":\"build-step-failed\","
                            + "\"message\":\"RUN make exited with 2\"}";
                }
                case "b-canceled" -> {
                    history.append(",{\"state\":\"CANCELED\",\"at\":\"2025-01-01T10:00:03Z\"}");
                    state = "CANCELED";
                }
                default -> {
                }
            }
        }
        return "{\"id\":\"" + id + "\",\"component\":\"" + component + "\",\"state\":\"" + state
                + "\",\"scratch\":" + scratch + ",\"requester\":\"alice\",\"nvr\":\"" + component
                + (scratch ? "-1.0" : "-1.0-1") + "\",\"dockerfilePath\":\"Dockerfile\","
                + "\"source\":{\"kind\":\"CONTEXT\",\"contextDigest\":\"sha256:" + "c".repeat(64) + "\"},"
                + "\"createdAt\":\"" + T0 + "\",\"updatedAt\":\"" + T0 + "\",\"history\":[" + history + "]"
                + failure + images + ",\"qaResults\":[],\"signatures\":[]}";
    }

    private static String problem(String title, int status, String detail) {
        return "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status + ",\"detail\":\""
                + detail + "\"}";
    }

    private static void send(HttpExchange x, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }
}
