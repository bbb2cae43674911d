package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.BuildState;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import dev.kiln.support.messaging.DeadLetterHeaders;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The state machine fed by real Kafka events, as the pipeline services send them. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class EventFlowTest {
    private static final String CANDIDATE = "localhost:5000";
    private static final String PRODUCTION = "localhost:5001";

    @Inject
    AgroalDataSource dataSource;

    record Submitted(String id, String name, Nvr nvr) {
    }

    private Submitted submit(boolean scratch) {
        String name = "flow" + UUID.randomUUID().toString().substring(0, 8);
        String digest = SubmissionResourceTest.upload(
                TestTars.context("FROM " + PRODUCTION + "/base/busybox:latest\nLABEL name=" + name + " version=1.0\n"),
                "application/x-tar");
        JsonPath b = SubmissionResourceTest.submitContext(digest, scratch ? ",\"scratch\":true" : "")
                .then().statusCode(201).extract().jsonPath();
        return new Submitted(b.getString("id"), name, new Nvr(name, "1.0", scratch ? null : "1"));
    }

    private static JsonPath build(String id) {
        return admin().when().get("/api/v1/builds/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static void awaitState(String id, BuildState state) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertEquals(state.name(), build(id).getString("state")));
    }

    /** Waits until the hub has applied the event with this CloudEvents id. */
    private void awaitProcessed(String ceId) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Connection c = dataSource.getConnection();
                    PreparedStatement ps = c.prepareStatement(
                            "SELECT 1 FROM submission.processed_events WHERE event_id = ?")) {
                ps.setString(1, ceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    private static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    @Test
    void fullPipelineReachesCompleteAndIgnoresDuplicatesAndLateEvents() {
        Submitted s = submit(false);
        String id = s.id();
        String image = digest('a');
        Instant t = Instant.now();

        TestKafka.send(new BuildStarted(id, "worker-1", "tcp://builder-1:2376", t));
        awaitState(id, BuildState.BUILDING);
        JsonPath building = build(id);
        assertEquals("worker-1", building.getString("worker.id"), "the record names the worker that took the build");
        assertEquals("tcp://builder-1:2376", building.getString("worker.dockerHost"));

        admin().when().get("/api/v1/builds/" + id + "/sbom").then().statusCode(404)
                .contentType("application/problem+json");
        assertEquals(List.of(), build(id).getList("layers"), "no layers before the image is built");
        TestKafka.send(new BuildCompleted(id, s.name(), false, digest('1'), "tcp://builder-1:2376", s.nvr(),
                PRODUCTION + "/base/busybox:latest", digest('2'), Map.of("name", s.name()), 1234,
                List.of("pkg:deb/debian/bash@5.2.15-2?arch=amd64", "pkg:apk/alpine/musl@1.2.4"),
                List.of(new ImageLayer(digest('3'), 4_300_000, "ADD file:busybox in /"),
                        new ImageLayer(digest('4'), 12, "COPY hello.txt /")), null, t));
        String pushedId = TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(),
                List.of("1.0-1"), image, "application/vnd.docker.distribution.manifest.v2+json", 1234, t));
        awaitState(id, BuildState.PUSHED);
        // build.completed and image.pushed travel on different topics: the push may be applied first
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> build(id).getString("parentImage") != null);
        JsonPath b = build(id);
        assertEquals("1234", b.getString("imageSize"));
        assertEquals(digest('1'), b.getString("imageId"));
        assertEquals(PRODUCTION + "/base/busybox:latest", b.getString("parentImage"));
        assertEquals(digest('2'), b.getString("parentDigest"));
        assertEquals(image, b.getString("candidate.digest"));
        assertEquals(CANDIDATE + "/" + s.name() + "@" + image, b.getString("candidate.reference"));
        assertEquals(List.of("1.0-1"), b.getList("candidate.tags"));
        assertEquals(List.of(digest('3'), digest('4')), b.getList("layers.diffId"), "bottom first");
        assertEquals(List.of(4_300_000L, 12L), b.getList("layers.sizeBytes", Long.class));
        assertEquals(List.of("ADD file:busybox in /", "COPY hello.txt /"), b.getList("layers.createdBy"));
        // the list stays light: its entries leave the layers out
        List<Map<String, Object>> listed = admin().queryParam("component", s.name()).when().get("/api/v1/builds")
                .then().statusCode(200).extract().jsonPath().getList("");
        assertEquals(1, listed.size());
        assertEquals(id, listed.get(0).get("id"));
        assertFalse(listed.get(0).containsKey("layers"));

        // the content manifest is served as a CycloneDX SBOM
        JsonPath sbom = admin().when().get("/api/v1/builds/" + id + "/sbom").then().statusCode(200).extract().jsonPath();
        assertEquals("CycloneDX", sbom.getString("bomFormat"));
        assertEquals("1.5", sbom.getString("specVersion"));
        assertEquals(s.name(), sbom.getString("metadata.component.name"));
        assertEquals("pkg:oci/" + s.name() + "@" + image.replace(":", "%3A") + "?repository_url=" + CANDIDATE + "/"
                + s.name(), sbom.getString("metadata.component.purl"));
        assertEquals(List.of("bash", "musl"), sbom.getList("components.name"));
        assertEquals(List.of("5.2.15-2", "1.2.4"), sbom.getList("components.version"));
        assertEquals(List.of("pkg:deb/debian/bash@5.2.15-2?arch=amd64", "pkg:apk/alpine/musl@1.2.4"),
                sbom.getList("components.purl"));

        TestKafka.send(new QaResult(id, CANDIDATE + "/" + s.name(), image, "kiln.image.starts", QaOutcome.RUNNING,
                null, "kiln-qa", null, t));
        TestKafka.send(new QaResult(id, CANDIDATE + "/" + s.name(), image, "kiln.image.starts", QaOutcome.PASSED,
                "the image starts", "kiln-qa", null, t.plusSeconds(1)));
        TestKafka.send(new ImageSigned(id, CANDIDATE, s.name(), CANDIDATE + "/" + s.name() + ":1.0-1", image, "cosign",
                "key-1", "sha256-aaa.sig", t));
        awaitState(id, BuildState.VERIFYING);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            JsonPath v = build(id);
            assertEquals("PASSED", v.getString("qaResults[0].outcome"));
            assertEquals(1, v.getList("qaResults").size());
            assertEquals(1, v.getList("signatures").size());
        });

        TestKafka.send(new GatingDecision(id, CANDIDATE + "/" + s.name(), image, true,
                List.of("test-case:kiln.image.starts passed"), List.of(), "default", t));
        awaitState(id, BuildState.PROMOTING);

        // a redelivered push (same ce_id) and a late start (new ce_id) change nothing
        int historyBefore = build(id).getList("history").size();
        TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(), List.of("1.0-1"), image,
                "application/vnd.docker.distribution.manifest.v2+json", 1234, t), pushedId);
        String lateStart = TestKafka.send(new BuildStarted(id, "worker-2", "tcp://builder-2:2376", t));
        String lateQa = TestKafka.send(new QaResult(id, CANDIDATE + "/" + s.name(), image, "kiln.image.starts",
                QaOutcome.RUNNING, null, "kiln-qa", null, t.plusSeconds(2)));
        String latePush = TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(),
                List.of("1.0-1"), image, "application/vnd.docker.distribution.manifest.v2+json", 1234, t));
        awaitProcessed(lateStart);
        awaitProcessed(lateQa);
        awaitProcessed(latePush);
        JsonPath after = build(id);
        assertEquals("PROMOTING", after.getString("state"));
        assertEquals(historyBefore, after.getList("history").size());
        assertEquals("PASSED", after.getString("qaResults[0].outcome"), "a running report never replaces a final one");

        TestKafka.send(new ImagePromoted(id, CANDIDATE, s.name(), PRODUCTION, s.name(), image,
                List.of("1.0-1", "1.0", "latest"), t));
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertEquals(image, build(id).getString("promoted.digest")));
        assertEquals("PROMOTING", build(id).getString("state"), "not complete before the production name is signed");

        String prodSig = TestKafka.send(new ImageSigned(id, PRODUCTION, s.name(), PRODUCTION + "/" + s.name() + ":1.0-1",
                image, "cosign", "key-1", "sha256-aaa.sig", t));
        awaitState(id, BuildState.COMPLETE);
        // the same signature again (new ce_id) is deduplicated by content
        awaitProcessed(TestKafka.send(new ImageSigned(id, PRODUCTION, s.name(), PRODUCTION + "/" + s.name() + ":1.0-1",
                image, "cosign", "key-1", "sha256-aaa.sig", t)));
        awaitProcessed(prodSig);

        JsonPath done = build(id);
        assertEquals(List.of("SUBMITTED", "BUILDING", "PUSHED", "VERIFYING", "PROMOTING", "COMPLETE"),
                done.getList("history.state"));
        assertEquals(2, done.getList("signatures").size());
        assertEquals(PRODUCTION + "/" + s.name() + "@" + image, done.getString("promoted.reference"));
        assertEquals(List.of("1.0-1", "1.0", "latest"), done.getList("promoted.tags"));
        assertTrue(!done.getMap("").containsKey("failure"));

        ConsumerRecord<String, String> complete = TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(),
                r -> id.equals(r.key()) && r.value().contains("\"COMPLETE\""));
        BuildStateChanged changed = EventCodec.decode(complete.value(), BuildStateChanged.class);
        assertEquals(BuildState.PROMOTING, changed.oldState());
        assertEquals(BuildState.COMPLETE, changed.newState());
    }

    @Test
    void eventsThatArriveOutOfOrderLeaveAWholeHistoryWithTheirOwnTimes() {
        Submitted s = submit(false);
        String id = s.id();
        Instant started = Instant.now().minusSeconds(20).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Instant pushed = started.plusSeconds(10);
        // the hub catches up after an outage and reads image.pushed before build.started (different topics)
        TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(), List.of("1.0-1"),
                digest('c'), "application/vnd.docker.distribution.manifest.v2+json", 1, pushed));
        awaitState(id, BuildState.PUSHED);
        JsonPath early = build(id);
        assertEquals(List.of("SUBMITTED", "BUILDING", "PUSHED"), early.getList("history.state"),
                "a pushed build was built: no hole in its history");
        assertEquals(Arrays.asList(null, true, null), early.getList("history.inferred"));
        assertEquals(pushed, Instant.parse(early.getString("history[1].at")), "inferred at the time of the push");
        assertEquals(pushed, Instant.parse(early.getString("history[2].at")), "the push at its event's time");

        TestKafka.send(new BuildStarted(id, "worker-1", "tcp://builder-1:2376", started));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> build(id).getList("history.inferred").stream().allMatch(java.util.Objects::isNull));
        JsonPath proven = build(id);
        assertEquals(List.of("SUBMITTED", "BUILDING", "PUSHED"), proven.getList("history.state"));
        assertEquals(started, Instant.parse(proven.getString("history[1].at")), "the late event's own time");
        assertEquals("PUSHED", proven.getString("state"), "a late event never moves a build back");
    }

    @Test
    void readinessSaysWhetherTheHubHasCaughtUpWithItsTopics() {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            JsonPath health = io.restassured.RestAssured.given().when().get("/q/health/ready").then().extract()
                    .jsonPath();
            assertEquals("UP", health.getString("checks.find { it.name == 'caught-up' }.status"), health.prettify());
            assertEquals(100, health.getInt("checks.find { it.name == 'caught-up' }.data.maxLag"));
            assertTrue(health.getInt("checks.find { it.name == 'caught-up' }.data.lag") <= 100);
        });
    }

    @Test
    void failedBuildIgnoresLaterEvents() {
        Submitted s = submit(false);
        String id = s.id();
        Instant t = Instant.now();
        TestKafka.send(new BuildStarted(id, "worker-1", "tcp://builder-1:2376", t));
        awaitState(id, BuildState.BUILDING); // different topics: no order between them unless we wait
        TestKafka.send(new BuildFailed(id, Stage.BUILD, "build-step-failed",
                "RUN make failed with exit code 2: fix the Makefile", false, t));
        awaitState(id, BuildState.FAILED);

        String late1 = TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(),
                List.of("1.0-1"), digest('b'), "application/vnd.docker.distribution.manifest.v2+json", 1, t));
        String late2 = TestKafka.send(new BuildStarted(id, "worker-2", "tcp://builder-2:2376", t));
        String late3 = TestKafka.send(new BuildFailed(id, Stage.PUSH, "push-failed", "other", false, t));
        awaitProcessed(late1);
        awaitProcessed(late2);
        awaitProcessed(late3);
        JsonPath b = build(id);
        assertEquals("FAILED", b.getString("state"));
        assertEquals("build", b.getString("failure.stage"));
        assertEquals("build-step-failed", b.getString("failure.reason"));
        assertEquals("RUN make failed with exit code 2: fix the Makefile", b.getString("failure.message"));
        assertEquals(List.of("SUBMITTED", "BUILDING", "FAILED"), b.getList("history.state"));

        BuildStateChanged changed = EventCodec.decode(TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(),
                r -> id.equals(r.key()) && r.value().contains("\"FAILED\"")).value(), BuildStateChanged.class);
        assertEquals(Stage.BUILD, changed.stage());
        assertEquals("build-step-failed", changed.reason());
    }

    @Test
    void aSecondCompletionWithAnotherImageDoesNotReplaceTheFirst() {
        Submitted s = submit(false);
        String id = s.id();
        Instant t = Instant.now();
        TestKafka.send(new BuildStarted(id, "worker-1", "tcp://builder-1:2376", t));
        awaitState(id, BuildState.BUILDING);
        awaitProcessed(TestKafka.send(new BuildCompleted(id, s.name(), false, digest('5'), "tcp://builder-1:2376",
                s.nvr(), PRODUCTION + "/base/busybox:latest", digest('2'), Map.of("name", s.name()), 10, List.of(),
                List.of(), null, t)));
        assertEquals(digest('5'), build(id).getString("imageId"));
        // a redelivered build.requested built again: registry-push ships the first image, so the hub keeps it
        awaitProcessed(TestKafka.send(new BuildCompleted(id, s.name(), false, digest('6'), "tcp://builder-2:2376",
                s.nvr(), PRODUCTION + "/base/busybox:latest", digest('2'), Map.of("name", s.name()), 20, List.of(),
                List.of(), null, t)));
        JsonPath b = build(id);
        assertEquals(digest('5'), b.getString("imageId"));
        assertEquals("10", b.getString("imageSize"));
    }

    @Test
    void aFailedQaResultIsEvidenceAndOnlyTheGatesFinalDecisionFailsTheBuild() {
        Submitted s = submit(false);
        String id = s.id();
        String image = digest('c');
        Instant t = Instant.now();
        TestKafka.send(new ImagePushed(id, s.name(), false, s.nvr(), CANDIDATE, s.name(), List.of("1.0-1"), image,
                "application/vnd.docker.distribution.manifest.v2+json", 1, t));
        awaitState(id, BuildState.PUSHED);
        awaitProcessed(TestKafka.send(new QaResult(id, CANDIDATE + "/" + s.name(), image, "kiln.structure.files",
                QaOutcome.FAILED, "/etc/os-release is missing", "kiln-qa", null, t)));
        assertEquals("VERIFYING", build(id).getString("state"), "a failed result alone ends nothing");
        List<String> unsatisfied = List.of("test-case:kiln.structure.files failed");
        awaitProcessed(TestKafka.send(new GatingDecision(id, CANDIDATE + "/" + s.name(), image, false,
                List.of("test-case:kiln.image.starts passed"), unsatisfied, "default", t.plusSeconds(1))));
        assertEquals("VERIFYING", build(id).getString("state"), "a release engineer may still waive it");
        TestKafka.send(new GatingDecision(id, CANDIDATE + "/" + s.name(), image, false,
                List.of("test-case:kiln.image.starts passed"), unsatisfied, "default", t.plusSeconds(2), true));
        awaitState(id, BuildState.FAILED);
        JsonPath b = build(id);
        assertEquals("qa", b.getString("failure.stage"));
        assertEquals("qa-failed", b.getString("failure.reason"));
        assertTrue(b.getString("failure.message").contains("test-case:kiln.structure.files failed"), b.getString("failure.message"));
        assertTrue(b.getString("failure.message").contains("policy default"), b.getString("failure.message"));
        // FAILED is the end: a satisfied decision after it (it cannot come from the gate) changes nothing
        awaitProcessed(TestKafka.send(new GatingDecision(id, CANDIDATE + "/" + s.name(), image, true,
                List.of("test-case:kiln.image.starts passed"), List.of(), "default", t.plusSeconds(3))));
        assertEquals("FAILED", build(id).getString("state"));
    }

    @Test
    void scratchBuildCompletesWhenItsGateIsSatisfied() {
        Submitted s = submit(true);
        String id = s.id();
        String image = digest('d');
        Instant t = Instant.now();
        TestKafka.send(new ImagePushed(id, s.name(), true, s.nvr(), CANDIDATE, s.name(), List.of("scratch-" + id),
                image, "application/vnd.docker.distribution.manifest.v2+json", 1, t));
        awaitState(id, BuildState.PUSHED);
        awaitProcessed(TestKafka.send(new QaResult(id, CANDIDATE + "/" + s.name(), image, "kiln.image.starts",
                QaOutcome.PASSED, "ok", "kiln-qa", null, t)));
        assertEquals("VERIFYING", build(id).getString("state"));
        TestKafka.send(new GatingDecision(id, CANDIDATE + "/" + s.name(), image, true,
                List.of("test-case:kiln.image.starts passed"), List.of(), "default", t.plusSeconds(1)));
        awaitState(id, BuildState.COMPLETE);
        assertEquals(s.name() + "-1.0", build(id).getString("nvr"));
    }

    @Test
    void malformedMessageGoesToTheDeadLetterTopicAndConsumingGoesOn() {
        String poisonId = UUID.randomUUID().toString();
        String key = "poison-" + poisonId;
        TestKafka.sendRaw(EventType.BUILD_STARTED.topic(), key, "{not json", poisonId, EventType.BUILD_STARTED.ceType());
        TestKafka.sendRaw(EventType.BUILD_STARTED.topic(), key, "{\"buildId\":\"x\"}", UUID.randomUUID().toString(),
                EventType.BUILD_STARTED.ceType());
        ConsumerRecord<String, String> dead = TestKafka.await(EventType.BUILD_STARTED.deadLetterTopic(),
                r -> key.equals(r.key()) && r.value().equals("{not json"));
        assertEquals("{not json", dead.value());
        // the original headers, and why, by whom, from where
        assertEquals(poisonId, TestKafka.header(dead, "ce_id"));
        assertEquals(EventType.BUILD_STARTED.ceType(), TestKafka.header(dead, "ce_type"));
        assertEquals("build-submission/build-started", TestKafka.header(dead, DeadLetterHeaders.CONSUMER));
        assertEquals("kiln-build-submission", TestKafka.header(dead, DeadLetterHeaders.GROUP));
        assertEquals(EventType.BUILD_STARTED.topic(), TestKafka.header(dead, DeadLetterHeaders.TOPIC));
        assertTrue(TestKafka.header(dead, DeadLetterHeaders.REASON).startsWith("malformed dev.kiln.build.started.v1"),
                TestKafka.header(dead, DeadLetterHeaders.REASON));
        assertTrue(Long.parseLong(TestKafka.header(dead, DeadLetterHeaders.OFFSET)) >= 0);
        TestKafka.await(EventType.BUILD_STARTED.deadLetterTopic(),
                r -> key.equals(r.key()) && r.value().equals("{\"buildId\":\"x\"}"));

        // an event for an unknown build is acknowledged, not dead-lettered
        String unknown = TestKafka.send(new BuildStarted(UUID.randomUUID().toString(), "w", "tcp://h:2376", Instant.now()));
        awaitProcessed(unknown);

        // the consumer still works
        Submitted s = submit(false);
        TestKafka.send(new BuildStarted(s.id(), "worker-1", "tcp://builder-1:2376", Instant.now()));
        awaitState(s.id(), BuildState.BUILDING);
    }

    @Test
    void anEventCommittedToTheOutboxIsSentAfterTheFactWithItsIdAndRemoved() throws Exception {
        // as if the hub had died between committing a build and sending its event: the row is all there is
        String buildId = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        BuildStateChanged changed = new BuildStateChanged(buildId, "outbox-test", BuildState.SUBMITTED,
                BuildState.CANCELED, null, null, null, Instant.now());
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO submission.outbox (event_id, event_type, build_id,"
                        + " payload) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, eventId);
            ps.setString(2, EventType.BUILD_STATE_CHANGED.ceType());
            ps.setString(3, buildId);
            ps.setString(4, EventCodec.encode(changed));
            ps.executeUpdate();
        }
        ConsumerRecord<String, String> sent = TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(),
                r -> buildId.equals(r.key()));
        assertEquals(eventId, TestKafka.header(sent, "ce_id"));
        assertEquals("/kiln/build-submission", TestKafka.header(sent, "ce_source"));
        assertEquals(BuildState.CANCELED, EventCodec.decode(sent.value(), BuildStateChanged.class).newState());
        await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows(buildId) == 0);
    }

    @Test
    void aSubmittedBuildIsAnnouncedThroughTheOutboxInOrder() {
        Submitted s = submit(false);
        ConsumerRecord<String, String> requested = TestKafka.await(EventType.BUILD_REQUESTED.topic(),
                r -> s.id().equals(r.key()));
        ConsumerRecord<String, String> submitted = TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(),
                r -> s.id().equals(r.key()));
        assertEquals(EventType.BUILD_REQUESTED.ceType(), TestKafka.header(requested, "ce_type"));
        assertEquals(BuildState.SUBMITTED, EventCodec.decode(submitted.value(), BuildStateChanged.class).newState());
        await().atMost(Duration.ofSeconds(30)).until(() -> outboxRows(s.id()) == 0);
    }

    private int outboxRows(String buildId) throws Exception {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM submission.outbox WHERE build_id = ?")) {
            ps.setString(1, buildId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
