package dev.kiln.support.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildRun;
import dev.kiln.events.Source;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A build's SLSA provenance v1 (https://slsa.dev/spec/v1.0/provenance) as an in-toto Statement v1
 * (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md): the subject is the image as pushed (its
 * repository and manifest digest); the build definition is what the maintainer asked for (source, Dockerfile,
 * component, name-version-release, network) with the source revision and the parent image, pinned by digest, as
 * resolved dependencies; the run details name Kiln's builder, the worker and Docker daemon that ran it, the build id
 * and its start and end. The build type is {@value #BUILD_TYPE}, documented in docs/events.md.
 */
public final class Provenance {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
    public static final String BUILD_TYPE = "https://kiln.dev/provenance/dockerfile-build/v1";
    public static final String DEFAULT_BUILDER_ID = "https://kiln.dev/builders/container-build";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Provenance() {
    }

    /**
     * The statement, serialised once (the bytes the builder key signs), for the image {@code name} (the repository as
     * in references, {@code localhost:5000/hello}) with manifest digest {@code digest} that {@code completed} built.
     */
    public static byte[] statement(String name, String digest, BuildCompleted completed, String builderId,
            String kilnVersion) {
        BuildRun run = completed.run();
        if (run == null) {
            throw new IllegalArgumentException("build " + completed.buildId() + " has no run details (its "
                    + "build.completed comes from a container-build older than provenance)");
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("_type", STATEMENT_TYPE);
        ObjectNode subject = root.putArray("subject").addObject();
        subject.put("name", name);
        subject.putObject("digest").put("sha256", hex(digest));
        root.put("predicateType", PREDICATE_TYPE);
        ObjectNode predicate = root.putObject("predicate");

        ObjectNode definition = predicate.putObject("buildDefinition");
        definition.put("buildType", BUILD_TYPE);
        ObjectNode external = definition.putObject("externalParameters");
        ObjectNode source = external.putObject("source");
        Source s = run.source();
        if (s.kind() == Source.Kind.GIT) {
            source.put("kind", "git").put("url", s.gitUrl()).put("ref", s.gitRef());
        } else {
            source.put("kind", "context").put("digest", s.contextDigest());
        }
        external.put("dockerfile", run.dockerfilePath());
        external.put("component", completed.component());
        external.put("scratch", completed.scratch());
        ObjectNode nvr = external.putObject("nvr").put("name", completed.nvr().name())
                .put("version", completed.nvr().version());
        if (completed.nvr().release() != null) {
            nvr.put("release", completed.nvr().release());
        }
        external.put("network", run.options().network());
        definition.putObject("internalParameters").put("timeoutSeconds", run.options().timeoutSeconds());
        ArrayNode deps = definition.putArray("resolvedDependencies");
        if (s.kind() == Source.Kind.GIT) {
            ObjectNode git = deps.addObject().put("uri", "git+" + s.gitUrl() + "@" + s.gitRef());
            if (s.gitCommit() != null) {
                git.putObject("digest").put("gitCommit", s.gitCommit());
            }
        } else {
            deps.addObject().put("name", "context").put("uri", "kiln:context/" + s.contextDigest())
                    .putObject("digest").put("sha256", hex(s.contextDigest()));
        }
        if (completed.parentDigest() != null) {
            ObjectNode parent = deps.addObject().put("name", "parent");
            if (completed.parentImage() != null) {
                parent.put("uri", "oci://" + completed.parentImage());
            }
            parent.putObject("digest").put("sha256", hex(completed.parentDigest()));
        }

        ObjectNode details = predicate.putObject("runDetails");
        ObjectNode builder = details.putObject("builder");
        builder.put("id", builderId);
        builder.putObject("version").put("kiln", kilnVersion);
        ArrayNode builderDeps = builder.putArray("builderDependencies");
        builderDeps.addObject().put("name", "worker").put("uri", "urn:kiln:worker:" + run.workerId());
        builderDeps.addObject().put("name", "docker-daemon").put("uri", completed.dockerHost());
        ObjectNode metadata = details.putObject("metadata");
        metadata.put("invocationId", completed.buildId());
        metadata.put("startedOn", run.startedAt().toString());
        metadata.put("finishedOn", completed.time().toString());
        details.putArray("byproducts").addObject().put("name", "image-id")
                .putObject("digest").put("sha256", hex(completed.imageId()));
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a verifier needs of a provenance statement. */
    public record Facts(List<String> subjectDigests, String builderId, String buildId, String buildType) {
        /** Whether the statement is about the image {@code digest} ({@code sha256:<hex>}). */
        public boolean names(String digest) {
            return subjectDigests.contains(digest);
        }
    }

    /**
     * Reads a provenance statement; IllegalArgumentException with the reason when it is not an in-toto Statement v1
     * with an SLSA provenance v1 predicate.
     */
    public static Facts read(byte[] statement) {
        JsonNode root;
        try {
            root = JSON.readTree(statement);
        } catch (IOException e) {
            throw new IllegalArgumentException("the provenance is not JSON");
        }
        if (root == null || !STATEMENT_TYPE.equals(root.path("_type").asText())) {
            throw new IllegalArgumentException("the provenance is not an in-toto Statement v1");
        }
        if (!PREDICATE_TYPE.equals(root.path("predicateType").asText())) {
            throw new IllegalArgumentException("the statement's predicate is " + root.path("predicateType").asText()
                    + ", not SLSA provenance v1");
        }
        List<String> digests = new ArrayList<>();
        for (JsonNode s : root.path("subject")) {
            Optional.ofNullable(s.path("digest").path("sha256").textValue()).ifPresent(h -> digests.add("sha256:" + h));
        }
        JsonNode p = root.path("predicate");
        return new Facts(List.copyOf(digests), p.path("runDetails").path("builder").path("id").asText(""),
                p.path("runDetails").path("metadata").path("invocationId").asText(""),
                p.path("buildDefinition").path("buildType").asText(""));
    }

    private static String hex(String digest) {
        if (digest == null || !digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return digest.substring("sha256:".length());
    }
}
