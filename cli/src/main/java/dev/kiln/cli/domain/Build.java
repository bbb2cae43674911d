package dev.kiln.cli.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;

/**
 * A build record as build-submission returns it ({@code GET /api/v1/builds/{id}}, see docs/architecture.md).
 * Read tolerantly: unknown fields are ignored, {@code nvr} may be a string or a name/version/release object, and
 * {@code layers} (bottom first) is absent from build lists and from older hubs.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Build(String id, String component, String state, Boolean scratch, String requester, JsonNode nvr,
        String dockerfilePath, BuildSource source, String createdAt, String updatedAt, List<HistoryEntry> history,
        Failure failure, String parentImage, String parentDigest, ImageRef candidate, List<QaResult> qaResults,
        List<Signature> signatures, ImageRef promoted, List<Layer> layers, Worker worker) {

    public Build {
        history = history == null ? List.of() : List.copyOf(history);
        qaResults = qaResults == null ? List.of() : List.copyOf(qaResults);
        signatures = signatures == null ? List.of() : List.copyOf(signatures);
        layers = layers == null ? List.of() : List.copyOf(layers);
    }

    /** A record from before the hub named the worker. */
    public Build(String id, String component, String state, Boolean scratch, String requester, JsonNode nvr,
            String dockerfilePath, BuildSource source, String createdAt, String updatedAt, List<HistoryEntry> history,
            Failure failure, String parentImage, String parentDigest, ImageRef candidate, List<QaResult> qaResults,
            List<Signature> signatures, ImageRef promoted, List<Layer> layers) {
        this(id, component, state, scratch, requester, nvr, dockerfilePath, source, createdAt, updatedAt, history, failure,
                parentImage, parentDigest, candidate, qaResults, signatures, promoted, layers, null);
    }

    /** The container-build worker that took the build and the Docker daemon it built on. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Worker(String id, String dockerHost) {
    }

    public boolean isScratch() {
        return Boolean.TRUE.equals(scratch);
    }

    /** The state in upper case, or {@code "UNKNOWN"}. */
    public String stateName() {
        return state == null ? "UNKNOWN" : state.toUpperCase(Locale.ROOT);
    }

    public boolean isTerminal() {
        String s = stateName();
        return s.equals("COMPLETE") || s.equals("FAILED") || s.equals("CANCELED");
    }

    /** {@code name-version-release} (or {@code name-version} for a scratch build), or null when not known yet. */
    public String nvrText() {
        if (nvr == null || nvr.isNull() || nvr.isMissingNode()) {
            return null;
        }
        if (nvr.isTextual()) {
            return nvr.asText();
        }
        String name = text(nvr, "name");
        String version = text(nvr, "version");
        String release = text(nvr, "release");
        if (name == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(name);
        if (version != null) {
            sb.append('-').append(version);
        }
        if (release != null) {
            sb.append('-').append(release);
        }
        return sb.toString();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BuildSource(String kind, String gitUrl, String gitRef, String gitCommit, String contextDigest) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record HistoryEntry(String state, String at, Boolean inferred) {
        public HistoryEntry(String state, String at) {
            this(state, at, null);
        }

        /** True when the hub inferred the state (a later one came first) and has not seen its own event yet. */
        public boolean isInferred() {
            return Boolean.TRUE.equals(inferred);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Failure(String stage, String reason, String message) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ImageRef(String registry, String repository, String digest, List<String> tags, String reference) {
        public ImageRef {
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        /** The reference the server gave, else {@code registry/repository@digest} when those are known. */
        public String pullSpec() {
            if (reference != null && !reference.isBlank()) {
                return reference;
            }
            if (registry == null || repository == null || digest == null) {
                return null;
            }
            return registry + "/" + repository + "@" + digest;
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record QaResult(String testCase, String outcome, String summary, String reporter) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Signature(String reference, String digest, String format, String keyId) {
    }

    /** One layer of the built image; {@code createdBy} is the instruction that made it, when the daemon said. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Layer(String diffId, Long sizeBytes, String createdBy) {
    }
}
