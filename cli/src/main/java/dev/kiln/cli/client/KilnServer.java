package dev.kiln.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.domain.Build;
import dev.kiln.cli.domain.BuildRequest;
import dev.kiln.cli.domain.ContextUpload;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.client.ClientRequestFilter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one door to build-submission: makes the REST client for a base URL known only at run time, turns connection
 * failures into {@link ServerUnreachableException} and parses answers into domain records.
 */
public final class KilnServer {

    private final String baseUrl;
    private final String token;
    private final KilnApi api;
    private final ObjectMapper json;

    private KilnServer(String baseUrl, String token, KilnApi api, ObjectMapper json) {
        this.baseUrl = baseUrl;
        this.token = token;
        this.api = api;
        this.json = json;
    }

    /**
     * @param baseUrl an absolute http(s) URL, e.g. {@code http://localhost:8080}
     * @param token   sent as {@code Authorization: Bearer <token>} when not null
     */
    public static KilnServer connect(String baseUrl, String token, ObjectMapper json) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(base))
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(5, TimeUnit.MINUTES);
        if (token != null && !token.isBlank()) {
            String header = "Bearer " + token.strip();
            builder.register((ClientRequestFilter) request -> request.getHeaders().putSingle("Authorization", header));
        }
        return new KilnServer(base, token, builder.build(KilnApi.class), json);
    }

    public static KilnServer connect(String baseUrl, ObjectMapper json) {
        return connect(baseUrl, null, json);
    }

    public boolean hasToken() {
        return token != null && !token.isBlank();
    }

    public String baseUrl() {
        return baseUrl;
    }

    /** {@code POST /api/v1/contexts} with the tar archive. */
    public ContextUpload uploadContext(Path tar) {
        java.io.File file = tar.toFile();
        ContextUpload upload = parse(call(() -> api.uploadContext(file.length(), file)), ContextUpload.class);
        if (upload.digest() == null || upload.digest().isBlank()) {
            throw new IllegalStateException("the server accepted the build context but returned no digest");
        }
        return upload;
    }

    /** {@code POST /api/v1/builds}; returns the new build record. */
    public Build submit(BuildRequest request) {
        Build build = parse(call(() -> api.submitBuild(request)), Build.class);
        if (build.id() == null || build.id().isBlank()) {
            throw new IllegalStateException("the server accepted the build but returned no build id");
        }
        return build;
    }

    /** {@code GET /api/v1/builds/{id}}, the JSON as the server sent it. */
    public String buildJson(String id) {
        return call(() -> api.getBuild(id));
    }

    public Build build(String id) {
        return parseBuild(buildJson(id));
    }

    /** A build record from its JSON. */
    public Build parseBuild(String body) {
        return parse(body, Build.class);
    }

    /** {@code GET /api/v1/builds?component=&state=&requester=&since=&limit=&page=}, the JSON as sent. */
    public String listJson(String component, String state, String requester, String since, Integer limit,
            Integer page) {
        return call(() -> api.listBuilds(component, state, requester, since, limit, page));
    }

    /** {@code POST /api/v1/builds/{id}/cancel}; the build record as it is after the request. */
    public String cancelJson(String id) {
        return call(() -> api.cancelBuild(id));
    }

    /** {@code GET /api/v1/builds/{id}/logs} as plain text. */
    public String logsText(String id) {
        return call(() -> api.logs(id));
    }

    public String whoamiJson() {
        return call(api::whoami);
    }

    public String componentsJson() {
        return call(api::components);
    }

    public String componentJson(String name) {
        return call(() -> api.component(name));
    }

    public String addComponentJson(String name, List<String> owners) {
        return call(() -> api.addComponent(Map.of("name", name, "owners", owners)));
    }

    public String setOwnersJson(String name, List<String> owners) {
        return call(() -> api.setOwners(name, Map.of("owners", owners)));
    }

    /** {@code GET /api/v1/admin/dead-letters?topic=&limit=} (admin), the JSON as sent. */
    public String deadLettersJson(String topic, Integer limit) {
        return call(() -> api.deadLetters(topic, limit));
    }

    /** {@code GET /api/v1/admin/dead-letters/{id}} (admin). */
    public String deadLetterJson(String id) {
        return call(() -> api.deadLetter(id));
    }

    /** {@code POST /api/v1/admin/dead-letters/{id}/replay[?force=true]} (admin). */
    public String replayDeadLetterJson(String id, boolean force) {
        return call(() -> api.replayDeadLetter(id, force ? Boolean.TRUE : null));
    }

    /** {@code POST /api/v1/admin/dead-letters/replay?topic=} (admin): every dead letter of the topic not replayed yet. */
    public String replayDeadLettersJson(String topic) {
        return call(() -> api.replayDeadLetters(topic));
    }

    public String createTokenJson(String user, String role, String description) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("user", user);
        body.put("role", role);
        if (description != null) {
            body.put("description", description);
        }
        return call(() -> api.createToken(body));
    }

    /** The tokens as the hub lists them (admin), revoked ones too when asked. */
    public String tokensJson(boolean revoked) {
        return call(() -> api.tokens(revoked));
    }

    /** Revokes a token (admin); the hub answers its record. */
    public String revokeTokenJson(String id) {
        return call(() -> api.revokeToken(id));
    }

    /** One batch of log lines from the follow stream. */
    public record LogBatch(long sequence, List<String> lines) {
    }

    /**
     * Follows {@code GET /api/v1/builds/{id}/logs} as Server-Sent Events until the {@code end} event, handing every
     * batch to {@code sink}; reconnects (with {@code Last-Event-ID}) when the connection drops.
     *
     * @return the build's final state, from the {@code end} event
     */
    public String followLogs(String id, Consumer<LogBatch> sink, ServerOutage outage) throws InterruptedException {
        return new SseFollower(baseUrl, token, json).followLogs(id, sink, outage);
    }

    /** Reads a JSON document (for commands that print selected fields). */
    public JsonNode tree(String body) {
        return readTree(body);
    }

    /**
     * The builds in a list answer: a JSON array, or an object holding the array under {@code builds},
     * {@code items}, {@code content} or {@code data}.
     */
    public List<Build> parseList(String body) {
        JsonNode root = readTree(body);
        JsonNode array = root;
        if (root.isObject()) {
            array = null;
            for (String field : List.of("builds", "items", "content", "data")) {
                if (root.path(field).isArray()) {
                    array = root.get(field);
                    break;
                }
            }
        }
        if (array == null || !array.isArray()) {
            throw new IllegalStateException("the server's build list is not a JSON array");
        }
        List<Build> builds = new ArrayList<>();
        for (JsonNode node : array) {
            try {
                builds.add(json.treeToValue(node, Build.class));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the server's build list holds an unreadable build: "
                        + e.getOriginalMessage());
            }
        }
        return builds;
    }

    private <T> T call(Supplier<T> request) {
        try {
            return request.get();
        } catch (ServerResponseException e) {
            throw e;
        } catch (ProcessingException | IllegalStateException e) {
            if (ServerUnreachableException.isConnectFailure(e) || find(e, java.io.IOException.class) != null) {
                // refused, reset or cut off: the server is not there to answer
                throw new ServerUnreachableException(baseUrl, e);
            }
            ServerResponseException wrapped = find(e, ServerResponseException.class);
            if (wrapped != null) {
                throw wrapped;
            }
            throw e;
        }
    }

    private <T> T parse(String body, Class<T> type) {
        try {
            return json.readValue(body, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the server's answer is not the JSON kiln expects: "
                    + e.getOriginalMessage());
        }
    }

    private JsonNode readTree(String body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the server's answer is not JSON: " + e.getOriginalMessage());
        }
    }

    private static <E extends Throwable> E find(Throwable t, Class<E> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
