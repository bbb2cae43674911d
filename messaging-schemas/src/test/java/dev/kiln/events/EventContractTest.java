package dev.kiln.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EventContractTest {
    static final String D1 = "sha256:" + "a".repeat(64);
    static final String D2 = "sha256:" + "b".repeat(64);
    static final Instant T = Instant.parse("2026-11-22T10:15:30.123Z");
    static final Nvr NVR = new Nvr("hello", "1.0", "3");

    /** One full example of every event type. */
    static Map<EventType, KilnEvent> samples() {
        Map<EventType, KilnEvent> m = new EnumMap<>(EventType.class);
        m.put(EventType.BUILD_REQUESTED, new BuildRequested("b-1", "hello", Source.git("https://git.example/hello.git", "main",
                "0123456789abcdef0123456789abcdef01234567"), "Dockerfile", false, "alice", NVR, BuildOptions.DEFAULT, T));
        m.put(EventType.BUILD_CANCEL_REQUESTED, new BuildCancelRequested("b-1", "alice", "wrong branch", T));
        m.put(EventType.BUILD_STARTED, new BuildStarted("b-1", "worker-1", "tcp://builder-1:2376", T));
        m.put(EventType.BUILD_LOG, new BuildLog("b-1", 0, List.of("Step 1/3 : FROM base", " ---> 1234"), T));
        m.put(EventType.BUILD_COMPLETED, new BuildCompleted("b-1", "hello", false, D1, "tcp://builder-1:2376", NVR,
                "localhost:5001/base/busybox:latest", D2, Map.of("name", "hello"), 1234, List.of("pkg:apk/alpine/busybox@1.36.1-r2"),
                List.of(new ImageLayer(D2, 4_300_000, "ADD file:abc in /"), new ImageLayer(D1, 12, null)),
                new BuildRun(Source.git("https://git.example/hello.git", "main", "0123456789abcdef0123456789abcdef01234567"),
                        "Dockerfile", BuildOptions.DEFAULT, "builder-1-1", T), T));
        m.put(EventType.BUILD_FAILED, new BuildFailed("b-1", Stage.BUILD, "build-step-failed",
                "RUN exited with 1: fix the Dockerfile and submit again", false, T));
        m.put(EventType.BUILD_CANCELED, new BuildCanceled("b-1", Stage.BUILD, "alice", T));
        m.put(EventType.IMAGE_PUSHED, new ImagePushed("b-1", "hello", false, NVR, "localhost:5000", "hello",
                List.of("1.0-3"), D1, "application/vnd.docker.distribution.manifest.v2+json", 4567, T));
        m.put(EventType.QA_RESULT, new QaResult("b-1", "localhost:5000/hello", D1, "kiln.image.starts", QaOutcome.PASSED,
                "exited 0", "kiln-qa", null, T));
        m.put(EventType.IMAGE_SIGNED, new ImageSigned("b-1", "localhost:5000", "hello", "localhost:5000/hello:1.0-3", D1,
                "cosign", "SHA256:abcd", "localhost:5000/hello:sha256-" + "a".repeat(64) + ".sig", T));
        m.put(EventType.GATING_DECISION, new GatingDecision("b-1", "localhost:5000/hello", D1, false,
                List.of("signature:cosign present"), List.of("test-case:kiln.image.starts failed"), "default", T, true));
        m.put(EventType.IMAGE_PROMOTED, new ImagePromoted("b-1", "localhost:5000", "hello", "localhost:5001", "hello", D1,
                List.of("1.0-3", "1.0", "latest"), T));
        m.put(EventType.BUILD_STATE_CHANGED, new BuildStateChanged("b-1", "hello", BuildState.BUILDING, BuildState.FAILED,
                Stage.BUILD, "build-step-failed", "RUN exited with 1", T));
        return m;
    }

    static Stream<EventType> types() {
        return Arrays.stream(EventType.values());
    }

    static JsonSchema schema(EventType type) throws Exception {
        try (InputStream in = EventType.class.getResourceAsStream(type.schemaResource())) {
            assertNotNull(in, "schema resource missing for " + type);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
    }

    @Test
    void everyEventTypeHasASample() {
        assertEquals(Set.of(EventType.values()), samples().keySet());
    }

    @ParameterizedTest
    @MethodSource("types")
    void recordRoundTripsThroughJsonAndValidatesAgainstItsSchema(EventType type) throws Exception {
        KilnEvent event = samples().get(type);
        String json = EventCodec.encode(event);
        assertEquals(event, EventCodec.decode(json, type.recordType()));
        Set<ValidationMessage> errors = schema(type).validate(new ObjectMapper().readTree(json));
        assertTrue(errors.isEmpty(), type + ": " + errors);
    }

    @ParameterizedTest
    @MethodSource("types")
    void schemaRejectsAnUnknownFieldAndAMissingBuildId(EventType type) throws Exception {
        ObjectNode node = (ObjectNode) new ObjectMapper().readTree(EventCodec.encode(samples().get(type)));
        node.put("surprise", 1);
        assertFalse(schema(type).validate(node).isEmpty(), "unknown field accepted by " + type.schemaFile());
        node.remove("surprise");
        node.remove("buildId");
        assertFalse(schema(type).validate(node).isEmpty(), "missing buildId accepted by " + type.schemaFile());
    }

    /** A component's name in JSON: its own, or the one {@code @JsonProperty} gives it. */
    private static String jsonName(java.lang.reflect.RecordComponent c) {
        com.fasterxml.jackson.annotation.JsonProperty renamed = c.getAccessor()
                .getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return renamed == null || renamed.value().isEmpty() ? c.getName() : renamed.value();
    }

    @ParameterizedTest
    @MethodSource("types")
    void schemaRequiresWhatTheRecordRequires(EventType type) throws Exception {
        JsonNode schemaNode = new ObjectMapper().readTree(EventType.class.getResourceAsStream(type.schemaResource()));
        Set<String> schemaProps = iterable(schemaNode.get("properties").fieldNames());
        Set<String> recordProps = Arrays.stream(type.recordType().getRecordComponents()).map(EventContractTest::jsonName)
                .collect(Collectors.toSet());
        assertEquals(recordProps, schemaProps, "schema and record of " + type + " name other fields");
        assertEquals(type.schemaFile(), schemaNode.get("$id").asText().substring(EventType.SCHEMA_BASE.length()));
    }

    @Test
    void decodingAPoisonMessageSaysWhatIsWrong() {
        MalformedEventException e = assertThrows(MalformedEventException.class,
                () -> EventCodec.decode("{\"buildId\":\"b\"}", BuildFailed.class));
        assertTrue(e.getMessage().contains("dev.kiln.build.failed.v1"), e.getMessage());
        assertThrows(MalformedEventException.class, () -> EventCodec.decode("not json", BuildStarted.class));
        assertThrows(MalformedEventException.class, () -> EventCodec.decode(
                EventCodec.encode(samples().get(EventType.QA_RESULT)).replace("\"PASSED\"", "\"GREEN\""), QaResult.class));
    }

    @Test
    void constructorsRefuseBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new BuildFailed("b", Stage.BUILD, "Bad Reason", "m", false, T));
        assertThrows(IllegalArgumentException.class, () -> new ImagePushed("b", "c", false, NVR, "r", "x", List.of(),
                "sha256:short", "m", 0, T));
        assertThrows(IllegalArgumentException.class, () -> new BuildRequested("b", "c", Source.context(D1), "Dockerfile",
                false, "alice", new Nvr("c", "1", null), null, T));
        assertThrows(IllegalArgumentException.class, () -> new BuildOptions("bridge", 10));
    }

    @Test
    void aDecisionWithoutFinalIsNotFinalAndASatisfiedOneNeverIs() {
        GatingDecision sample = (GatingDecision) samples().get(EventType.GATING_DECISION);
        String json = EventCodec.encode(sample);
        assertTrue(json.contains("\"final\":true"), json);
        assertTrue(EventCodec.decode(json, GatingDecision.class).finalized());
        GatingDecision old = EventCodec.decode(json.replace(",\"final\":true", ""), GatingDecision.class);
        assertFalse(old.finalized(), "an event from before the field is not final");
        assertFalse(EventCodec.encode(old).contains("final"), "not final is left out, as before");
        assertThrows(IllegalArgumentException.class, () -> new GatingDecision("b", "r/x", D1, true, List.of(), List.of(),
                "default", T, true));
    }

    @Test
    void topicsAndTypesFollowTheConvention() {
        assertEquals("kiln.build.requested", EventType.BUILD_REQUESTED.topic());
        assertEquals("kiln.build.requested.dlq", EventType.BUILD_REQUESTED.deadLetterTopic());
        assertEquals("dev.kiln.build.cancel-requested.v1", EventType.BUILD_CANCEL_REQUESTED.ceType());
        assertEquals(EventType.QA_RESULT, EventType.byCeType("dev.kiln.qa.result.v1").orElseThrow());
    }

    private static Set<String> iterable(java.util.Iterator<String> it) {
        Set<String> s = new java.util.HashSet<>();
        it.forEachRemaining(s::add);
        return s;
    }
}
