package dev.kiln.cli.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.domain.Build;
import dev.kiln.cli.domain.BuildRequest;
import dev.kiln.cli.domain.ContextUpload;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.ws.rs.ProcessingException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one door to build-submission: makes the REST client for a base URL known only at run time, turns connection
 * failures into {@link ServerUnreachableException} and parses answers into domain records.
 */
public final class KilnServer {

    private final String baseUrl;
    private final KilnApi api;
    private final ObjectMapper json;

    private KilnServer(String baseUrl, KilnApi api, ObjectMapper json) {
        this.baseUrl = baseUrl;
        this.api = api;
        this.json = json;
    }

    /** @param baseUrl an absolute http(s) URL, e.g. {@code http://localhost:8080} */
    public static KilnServer connect(String baseUrl, ObjectMapper json) {
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        KilnApi api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(base))
                .connectTimeout(10, TimeUnit.SECONDS)
                .readTimeout(5, TimeUnit.MINUTES)
                .build(KilnApi.class);
        return new KilnServer(base, api, json);
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

    /** {@code GET /api/v1/builds?component=&state=&limit=}, the JSON as the server sent it. */
    public String listJson(String component, String state, Integer limit) {
        return call(() -> api.listBuilds(component, state, limit));
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
            if (ServerUnreachableException.isConnectFailure(e)) {
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
