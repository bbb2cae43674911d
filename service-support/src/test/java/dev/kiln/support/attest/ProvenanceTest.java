package dev.kiln.support.attest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRun;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The statement's fields against the in-toto Statement v1 and SLSA provenance v1 specifications. */
class ProvenanceTest {
    private static final String IMAGE = "sha256:" + "a".repeat(64);
    private static final String CONFIG = "sha256:" + "b".repeat(64);
    private static final String PARENT = "sha256:" + "c".repeat(64);
    private static final String CONTEXT = "sha256:" + "d".repeat(64);
    private static final Instant START = Instant.parse("2026-12-04T10:00:00Z");
    private static final Instant END = Instant.parse("2026-12-04T10:00:07Z");

    private static BuildCompleted completed(Source source) {
        return new BuildCompleted("b-1", "hello", false, CONFIG, "tcp://builder-1:2376", new Nvr("hello", "1.0", "3"),
                "localhost:5001/base/busybox:latest", PARENT, Map.of(), 10, List.of(), List.of(),
                new BuildRun(source, "build/Dockerfile", new BuildOptions("host", 600), "builder-1-1", START), END);
    }

    @Test
    void aContextBuildsStatementNamesEverySpecifiedField() throws Exception {
        byte[] statement = Provenance.statement("localhost:5000/hello", IMAGE, completed(Source.context(CONTEXT)),
                Provenance.DEFAULT_BUILDER_ID, "0.1.0");
        JsonNode st = new ObjectMapper().readTree(statement);
        assertEquals("https://in-toto.io/Statement/v1", st.path("_type").asText());
        assertEquals("localhost:5000/hello", st.path("subject").get(0).path("name").asText());
        assertEquals("a".repeat(64), st.path("subject").get(0).path("digest").path("sha256").asText());
        assertEquals("https://slsa.dev/provenance/v1", st.path("predicateType").asText());
        JsonNode def = st.path("predicate").path("buildDefinition");
        assertEquals(Provenance.BUILD_TYPE, def.path("buildType").asText());
        assertEquals("context", def.path("externalParameters").path("source").path("kind").asText());
        assertEquals(CONTEXT, def.path("externalParameters").path("source").path("digest").asText());
        assertEquals("build/Dockerfile", def.path("externalParameters").path("dockerfile").asText());
        assertEquals("host", def.path("externalParameters").path("network").asText());
        assertEquals("3", def.path("externalParameters").path("nvr").path("release").asText());
        assertEquals(600, def.path("internalParameters").path("timeoutSeconds").asInt());
        assertEquals("d".repeat(64), def.path("resolvedDependencies").get(0).path("digest").path("sha256").asText());
        JsonNode parent = def.path("resolvedDependencies").get(1);
        assertEquals("oci://localhost:5001/base/busybox:latest", parent.path("uri").asText());
        assertEquals("c".repeat(64), parent.path("digest").path("sha256").asText());
        JsonNode run = st.path("predicate").path("runDetails");
        assertEquals(Provenance.DEFAULT_BUILDER_ID, run.path("builder").path("id").asText());
        assertEquals("0.1.0", run.path("builder").path("version").path("kiln").asText());
        assertEquals("b-1", run.path("metadata").path("invocationId").asText());
        assertEquals("2026-12-04T10:00:00Z", run.path("metadata").path("startedOn").asText());
        assertEquals("2026-12-04T10:00:07Z", run.path("metadata").path("finishedOn").asText());

        Provenance.Facts facts = Provenance.read(statement);
        assertTrue(facts.names(IMAGE));
        assertEquals("b-1", facts.buildId());
        assertEquals(Provenance.DEFAULT_BUILDER_ID, facts.builderId());
    }

    @Test
    void aGitBuildPinsItsCommit() throws Exception {
        String commit = "0123456789abcdef0123456789abcdef01234567";
        JsonNode dep = new ObjectMapper().readTree(Provenance.statement("r/hello", IMAGE, completed(
                Source.git("https://git.example/hello.git", "main", commit)), "urn:test", "dev"))
                .path("predicate").path("buildDefinition").path("resolvedDependencies").get(0);
        assertEquals("git+https://git.example/hello.git@main", dep.path("uri").asText());
        assertEquals(commit, dep.path("digest").path("gitCommit").asText());
    }

    @Test
    void otherStatementsAreNotProvenance() {
        assertThrows(IllegalArgumentException.class, () -> Provenance.read("{}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Provenance.read(("{\"_type\":\"https://in-toto.io/Statement/v1\","
                + "\"predicateType\":\"https://in-toto.io/attestation/test-result/v0.1\"}").getBytes(StandardCharsets.UTF_8)));
        BuildCompleted old = new BuildCompleted("b-1", "hello", false, CONFIG, "tcp://b:2376", new Nvr("hello", "1.0", "3"),
                null, null, Map.of(), 10, List.of(), List.of(), null, END);
        assertThrows(IllegalArgumentException.class, () -> Provenance.statement("r/hello", IMAGE, old, "urn:test", "dev"));
    }
}
