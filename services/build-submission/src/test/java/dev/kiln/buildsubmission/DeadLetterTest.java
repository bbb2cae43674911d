package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.kiln.events.BuildStarted;
import dev.kiln.events.CloudEventHeaders;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.DeadLetterHeaders;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Dead letters through the hub's admin API, on the real broker: listed, shown, replayed once (and again by force). */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class DeadLetterTest {

    @Test
    void aDeadLetterIsListedShownAndReplayedOntoItsTopicWhereItIsHandledOnce() throws Exception {
        String id = submitBuild();
        String ceId = UUID.randomUUID().toString();
        String value = EventCodec.encode(new BuildStarted(id, "worker-1", "tcp://docker:2376", Instant.now()));
        // what a consumer left behind when it could not handle the event (a defect since fixed, say)
        RecordMetadata at = deadLetter(EventType.BUILD_STARTED, id, value, Map.ofEntries(
                Map.entry(CloudEventHeaders.ID, ceId),
                Map.entry(CloudEventHeaders.TYPE, EventType.BUILD_STARTED.ceType()),
                Map.entry(CloudEventHeaders.SUBJECT, id),
                Map.entry(CloudEventHeaders.SOURCE, "/kiln/container-build"),
                Map.entry(DeadLetterHeaders.REASON, "internal-error: the hub could not apply the event"),
                Map.entry(DeadLetterHeaders.CONSUMER, "build-submission/build-started"),
                Map.entry(DeadLetterHeaders.GROUP, "kiln-build-submission"),
                Map.entry(DeadLetterHeaders.TOPIC, EventType.BUILD_STARTED.topic()),
                Map.entry(DeadLetterHeaders.PARTITION, "0"),
                Map.entry(DeadLetterHeaders.OFFSET, "7"),
                Map.entry(DeadLetterHeaders.TIME, Instant.now().toString())));
        String dl = EventType.BUILD_STARTED.deadLetterTopic() + "~" + at.partition() + "~" + at.offset();

        JsonPath list = admin().queryParam("topic", "kiln.build.started").get("/api/v1/admin/dead-letters")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(ceId, list.getString("find { it.id == '" + dl + "' }.ceId"));
        assertEquals("build-submission/build-started", list.getString("find { it.id == '" + dl + "' }.consumer"));
        assertEquals(id, list.getString("find { it.id == '" + dl + "' }.buildId"));

        admin().get("/api/v1/admin/dead-letters/" + dl).then().statusCode(200)
                .body("topic", equalTo("kiln.build.started")).body("originalOffset", equalTo(7))
                .body("reason", containsString("internal-error")).body("group", equalTo("kiln-build-submission"))
                .body("headers.ce_id", equalTo(ceId)).body("value", equalTo(value)).body("replay", equalTo(null));
        assertEquals("SUBMITTED", state(id));

        admin().post("/api/v1/admin/dead-letters/" + dl + "/replay").then().statusCode(200)
                .body("deadLetter", equalTo(dl)).body("replayedBy", equalTo("admin")).body("times", equalTo(1));
        await().atMost(Duration.ofSeconds(60)).until(() -> "BUILDING".equals(state(id)));
        ConsumerRecord<String, String> replayed = TestKafka.await(EventType.BUILD_STARTED.topic(),
                r -> ceId.equals(TestKafka.header(r, CloudEventHeaders.ID)));
        assertEquals(id, replayed.key());
        assertEquals(value, replayed.value());
        assertNull(TestKafka.header(replayed, DeadLetterHeaders.REASON), "the dead-letter headers are taken off");
        assertNull(TestKafka.header(replayed, DeadLetterHeaders.TOPIC));
        assertEquals("/kiln/container-build", TestKafka.header(replayed, CloudEventHeaders.SOURCE), "the original headers stay");

        admin().get("/api/v1/admin/dead-letters/" + dl).then().statusCode(200).body("replay.replayedBy", equalTo("admin"));
        admin().post("/api/v1/admin/dead-letters/" + dl + "/replay").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("force"));
        admin().queryParam("force", "true").post("/api/v1/admin/dead-letters/" + dl + "/replay").then().statusCode(200)
                .body("times", equalTo(2));
        // the same ce_id again: the hub has seen it and changes nothing
        Thread.sleep(1500);
        assertEquals("BUILDING", state(id));
        assertEquals(2, admin().get("/api/v1/builds/" + id).then().extract().jsonPath().getList("history").size());
    }

    @Test
    void aPoisonMessageIsListedWithTheReasonItWasRefused() {
        String key = "poison-" + UUID.randomUUID();
        TestKafka.sendRaw(EventType.BUILD_STARTED.topic(), key, "{not json", UUID.randomUUID().toString(),
                EventType.BUILD_STARTED.ceType());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> admin().get("/api/v1/admin/dead-letters")
                .then().statusCode(200).body("buildId", hasItem(key)));
        JsonPath list = admin().get("/api/v1/admin/dead-letters").then().extract().jsonPath();
        String dl = list.getString("find { it.buildId == '" + key + "' }.id");
        admin().get("/api/v1/admin/dead-letters/" + dl).then().statusCode(200).body("value", equalTo("{not json"))
                .body("reason", containsString("dev.kiln.build.started.v1"));
    }

    @Test
    void aQaHooksRefusedResultsAreListedWithEveryOther() throws Exception {
        TopicAccess.Hook hook = new TopicAccess.Hook("dlq-" + UUID.randomUUID().toString().substring(0, 8));
        KafkaResource.broker().addHook(hook);
        String key = "hooked-" + UUID.randomUUID();
        deadLetter(hook.deadLetterTopic(), key, "{\"buildId\":\"" + key + "\"}", Map.of(
                CloudEventHeaders.TYPE, EventType.QA_RESULT.ceType(),
                DeadLetterHeaders.REASON, "hook-result-refused: a hook reports under its own name",
                DeadLetterHeaders.TOPIC, hook.topic()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> admin().get("/api/v1/admin/dead-letters")
                .then().statusCode(200).body("buildId", hasItem(key)));
        admin().queryParam("topic", hook.topic()).get("/api/v1/admin/dead-letters").then().statusCode(200)
                .body("buildId", hasItem(key)).body("topic", everyItem(equalTo(hook.topic())));
        admin().queryParam("topic", "kiln.qa.hook.Not-A-Hook").get("/api/v1/admin/dead-letters").then().statusCode(400)
                .body("detail", containsString("kiln.qa.hook.<name>"));
    }

    @Test
    void onlyAdminsSeeDeadLettersAndBadIdsAreProblems() {
        String maintainer = AccessTest.token("dlq-" + UUID.randomUUID().toString().substring(0, 8), "maintainer");
        AccessTest.as(maintainer).get("/api/v1/admin/dead-letters").then().statusCode(403)
                .contentType("application/problem+json");
        io.restassured.RestAssured.given().get("/api/v1/admin/dead-letters").then().statusCode(401);
        admin().get("/api/v1/admin/dead-letters/nonsense").then().statusCode(400).contentType("application/problem+json")
                .body("detail", containsString("<topic>.dlq~<partition>~<offset>"));
        admin().get("/api/v1/admin/dead-letters/kiln.build.started.dlq~0~999999999").then().statusCode(404)
                .contentType("application/problem+json");
        admin().get("/api/v1/admin/dead-letters/kiln.nothing.dlq~0~1").then().statusCode(400)
                .body("detail", containsString("not a Kiln topic"));
        admin().queryParam("topic", "elsewhere").get("/api/v1/admin/dead-letters").then().statusCode(400);
        admin().queryParam("limit", "0").get("/api/v1/admin/dead-letters").then().statusCode(400);
        admin().post("/api/v1/admin/dead-letters/replay").then().statusCode(400).body("detail", containsString("?topic="));
    }

    private static String submitBuild() {
        String name = "dlq" + UUID.randomUUID().toString().substring(0, 8);
        String digest = SubmissionResourceTest.upload(
                TestTars.context("FROM localhost:5001/base/busybox:latest\nLABEL name=" + name + " version=1.0\n"),
                "application/x-tar");
        String id = SubmissionResourceTest.submitContext(digest, "").then().statusCode(201).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "SUBMITTED".equals(state(id)));
        return id;
    }

    private static String state(String id) {
        return admin().get("/api/v1/builds/" + id).then().statusCode(200).extract().path("state");
    }

    private static RecordMetadata deadLetter(EventType type, String key, String value, Map<String, String> headers)
            throws Exception {
        return deadLetter(type.deadLetterTopic(), key, value, headers);
    }

    private static RecordMetadata deadLetter(String topic, String key, String value, Map<String, String> headers)
            throws Exception {
        Properties p = new Properties();
        p.putAll(KafkaResource.broker().clientProperties(KafkaBroker.ADMIN));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            ProducerRecord<String, String> r = new ProducerRecord<>(topic, key, value);
            headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            return producer.send(r).get(30, TimeUnit.SECONDS);
        }
    }

}
