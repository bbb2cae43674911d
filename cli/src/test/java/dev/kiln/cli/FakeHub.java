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
 * {@code b-slow} never ends, {@code b-500} is a server error, {@code b-layers} is a complete build whose record
 * carries its image's layers ({@link #layered()}), anything else is 404.
 */
final class FakeHub implements AutoCloseable {

    static final String T0 = "2025-01-01T10:00:00Z";

    private volatile HttpServer server;
    /** When a build's GET reaches this poll, the hub goes away for {@link #outage} (see {@link #outageAtPoll}). */
    private volatile int outagePoll = -1;
    private volatile java.time.Duration outage;
    /** Restarts the hub has been through. */
    final AtomicInteger restarts = new AtomicInteger();
    final Map<String, AtomicInteger> polls = new ConcurrentHashMap<>();
    final List<byte[]> contexts = new CopyOnWriteArrayList<>();
    final List<String> contextTypes = new CopyOnWriteArrayList<>();
    final List<String> contextLengths = new CopyOnWriteArrayList<>();
    final List<String> submissions = new CopyOnWriteArrayList<>();
    final List<String> listQueries = new CopyOnWriteArrayList<>();
    /** "METHOD path -> Authorization header" of every request. */
    final List<String> auths = new CopyOnWriteArrayList<>();
    final List<String> bodies = new CopyOnWriteArrayList<>();
    static final String GOOD_TOKEN = "kiln_good";
    static final String ADMIN_TOKEN = "kiln_admin";

    FakeHub() throws IOException {
        server = listen(0);
    }

    private HttpServer listen(int port) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        s.createContext("/api/v1/contexts", this::contexts);
        s.createContext("/api/v1/builds", this::builds);
        s.createContext("/api/v1/whoami", this::whoami);
        s.createContext("/api/v1/components", this::components);
        s.createContext("/api/v1/tokens", this::tokens);
        s.start();
        return s;
    }

    /**
     * A restart: once a build is fetched for the {@code poll}-th time, the hub stops listening (connections are
     * refused) for {@code away}, then listens on the same port again with the same state.
     */
    void outageAtPoll(int poll, java.time.Duration away) {
        outage = away;
        outagePoll = poll;
    }

    private void restart() {
        int port = server.getAddress().getPort();
        server.stop(0);
        try {
            Thread.sleep(outage.toMillis());
            server = listen(port);
            restarts.incrementAndGet();
        } catch (Exception e) {
            throw new IllegalStateException("the fake hub could not listen again on port " + port, e);
        }
    }

    String url() {
        return "http://localhost:" + server.getAddress().getPort();
    }

    void reset() {
        polls.clear();
        outagePoll = -1;
        restarts.set(0);
        contexts.clear();
        contextTypes.clear();
        contextLengths.clear();
        submissions.clear();
        listQueries.clear();
        auths.clear();
        bodies.clear();
    }

    private void note(HttpExchange x) {
        auths.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + " -> "
                + x.getRequestHeaders().getFirst("Authorization"));
    }

    private static String caller(HttpExchange x) {
        String h = x.getRequestHeaders().getFirst("Authorization");
        if (("Bearer " + GOOD_TOKEN).equals(h)) {
            return "alice";
        }
        if (("Bearer " + ADMIN_TOKEN).equals(h)) {
            return "admin";
        }
        return null;
    }

    private boolean refuseUnlessAdmin(HttpExchange x) throws IOException {
        String who = caller(x);
        if (who == null) {
            send(x, 401, problem("Not authenticated", 401, "this request needs a token"));
            return true;
        }
        if (!who.equals("admin")) {
            send(x, 403, problem("Admin only", 403, who + " has role maintainer; only an admin may do this"));
            return true;
        }
        return false;
    }

    private void whoami(HttpExchange x) throws IOException {
        note(x);
        String who = caller(x);
        if (who == null) {
            send(x, 401, problem("Not authenticated", 401, "the token is not known to this hub"));
            return;
        }
        send(x, 200, "{\"user\":\"" + who + "\",\"role\":\"" + (who.equals("admin") ? "admin" : "maintainer")
                + "\"}");
    }

    private void components(HttpExchange x) throws IOException {
        note(x);
        String path = x.getRequestURI().getPath();
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        bodies.add(x.getRequestMethod() + " " + path + " " + body);
        if (x.getRequestMethod().equals("GET") && path.equals("/api/v1/components")) {
            send(x, 200, "[{\"name\":\"hello\",\"owners\":[\"alice\",\"bob\"],\"createdAt\":\"" + T0
                    + "\",\"createdBy\":\"admin\"}]");
            return;
        }
        if (x.getRequestMethod().equals("GET")) {
            String name = path.substring("/api/v1/components/".length());
            if (!name.equals("hello")) {
                send(x, 404, problem("Unknown component", 404, "component " + name + " is not registered"));
                return;
            }
            send(x, 200, "{\"name\":\"hello\",\"owners\":[\"alice\",\"bob\"]}");
            return;
        }
        if (refuseUnlessAdmin(x)) {
            return;
        }
        if (x.getRequestMethod().equals("POST")) {
            send(x, 201, "{\"name\":\"web\",\"owners\":[\"carol\",\"dan\"],\"createdBy\":\"admin\"}");
        } else {
            send(x, 200, "{\"name\":\"hello\",\"owners\":[\"erin\"]}");
        }
    }

    private void tokens(HttpExchange x) throws IOException {
        note(x);
        bodies.add(x.getRequestMethod() + " " + x.getRequestURI().getPath() + " "
                + new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        if (refuseUnlessAdmin(x)) {
            return;
        }
        String path = x.getRequestURI().getPath();
        if (x.getRequestMethod().equals("GET")) {
            send(x, 200, "[{\"id\":\"t1\",\"user\":\"carol\",\"role\":\"maintainer\",\"createdAt\":"
                    + "\"2026-12-01T10:00:00Z\",\"createdBy\":\"admin\",\"description\":\"ci\"}"
                    + ("revoked=true".equals(x.getRequestURI().getQuery())
                            ? ",{\"id\":\"t0\",\"user\":\"dan\",\"role\":\"admin\",\"createdAt\":"
                                    + "\"2026-11-01T10:00:00Z\",\"createdBy\":\"admin\",\"revokedAt\":"
                                    + "\"2026-11-02T10:00:00Z\",\"revokedBy\":\"admin\"}"
                            : "") + "]");
        } else if (x.getRequestMethod().equals("DELETE") && path.equals("/api/v1/tokens/t1")) {
            send(x, 200, "{\"id\":\"t1\",\"user\":\"carol\",\"role\":\"maintainer\",\"createdAt\":"
                    + "\"2026-12-01T10:00:00Z\",\"createdBy\":\"admin\",\"revokedAt\":\"2026-12-04T10:00:00Z\","
                    + "\"revokedBy\":\"admin\"}");
        } else if (x.getRequestMethod().equals("DELETE")) {
            send(x, 404, problem("Unknown token", 404, "no token has id \"" + path.substring(path.lastIndexOf('/') + 1)
                    + "\"; kiln token list shows the ids"));
        } else {
            send(x, 201, "{\"id\":\"t1\",\"token\":\"kiln_new-secret\",\"user\":\"carol\",\"role\":\"maintainer\"}");
        }
    }

    private void logs(HttpExchange x, String id) throws IOException {
        String accept = x.getRequestHeaders().getFirst("Accept");
        if (accept != null && accept.contains("text/event-stream")) {
            String last = x.getRequestHeaders().getFirst("Last-Event-ID");
            StringBuilder sse = new StringBuilder(": hello\n\n");
            if (last == null) {
                sse.append("event: log\nid: 0\ndata: {\"sequence\":0,\"lines\":[\"Step 1/2 : FROM base\",\"---> abc\"]}\n\n");
            }
            if (last == null && id.equals("b-drop")) {
                // the connection drops here; the client resumes with Last-Event-ID: 0
                byte[] body = sse.toString().getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", "text/event-stream");
                x.sendResponseHeaders(200, body.length);
                try (OutputStream out = x.getResponseBody()) {
                    out.write(body);
                }
                return;
            }
            sse.append("event: log\nid: 1\ndata: {\"sequence\":1,\"lines\":[\"Step 2/2 : RUN make\"]}\n\n");
            sse.append("event: end\ndata: {\"state\":\"COMPLETE\"}\n\n");
            byte[] body = sse.toString().getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "text/event-stream");
            x.sendResponseHeaders(200, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
            return;
        }
        byte[] body = "Step 1/2 : FROM base\n---> abc\nStep 2/2 : RUN make\n".getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain");
        x.sendResponseHeaders(200, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void contexts(HttpExchange x) throws IOException {
        note(x);
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
        note(x);
        String path = x.getRequestURI().getPath();
        if (x.getRequestMethod().equals("GET") && path.endsWith("/logs")) {
            String id = path.substring("/api/v1/builds/".length(), path.length() - "/logs".length());
            if (id.equals("nope")) {
                send(x, 404, problem("Build not found", 404, "there is no build nope"));
                return;
            }
            logs(x, id);
            return;
        }
        if (x.getRequestMethod().equals("POST") && path.endsWith("/cancel")) {
            String id = path.substring("/api/v1/builds/".length(), path.length() - "/cancel".length());
            if (caller(x) == null) {
                send(x, 401, problem("Not authenticated", 401, "this request needs a token"));
                return;
            }
            String rec = record(id.equals("b-canceled") ? "b-canceled" : "b-ok", id.equals("b-canceled") ? 3 : 2);
            send(x, 202, rec);
            return;
        }
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
            if (id.equals("b-layers")) {
                send(x, 200, layered());
                return;
            }
            if (id.equals("b-500")) {
                send(x, 500, problem("Internal Server Error", 500, "database is down"));
                return;
            }
            if (!List.of("b-ok", "b-scratch", "b-fail", "b-canceled", "b-slow").contains(id)) {
                send(x, 404, problem("Build not found", 404, "no build with id " + id));
                return;
            }
            int poll = polls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (poll == outagePoll) {
                outagePoll = -1;
                x.close();
                new Thread(this::restart, "fake-hub-restart").start();
                return;
            }
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

    /**
     * The record of {@code b-layers}: complete, with four layers bottom first, the third made by a long RUN spread
     * over two lines, the last one with no {@code createdBy}.
     */
    static String layered() {
        String done = record("b-ok", 3).replace("\"id\":\"b-ok\"", "\"id\":\"b-layers\"");
        return done.substring(0, done.length() - 1) + ",\"layers\":["
                + "{\"diffId\":\"sha256:" + "3".repeat(64) + "\",\"sizeBytes\":4300000,"
                + "\"createdBy\":\"ADD file:busybox in /\"},"
                + "{\"diffId\":\"sha256:" + "4".repeat(64) + "\",\"sizeBytes\":12,\"createdBy\":\"COPY hello.txt /\"},"
                + "{\"diffId\":\"sha256:" + "5".repeat(64) + "\",\"sizeBytes\":123456789,\"createdBy\":"
                + "\"RUN apt-get update \\\\\\n    && apt-get install -y --no-install-recommends "
                + "ca-certificates curl\"},"
                + "{\"diffId\":\"sha256:" + "6".repeat(64) + "\",\"sizeBytes\":0}]}";
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
