package dev.kiln.qa;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.events.TopicAccess;
import dev.kiln.support.messaging.DeadLetterHeaders;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * External hooks: the example hook (examples/qa-hook/Hook.java) over REST, token refusals, a hook reporting on its own
 * Kafka topic.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class QaHookTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final Path HOOK = Path.of("../../examples/qa-hook/Hook.java");
    private static DockerClient docker;
    private static ImagePushed image;

    @BeforeAll
    static void image() throws Exception {
        docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
        image = TestImages.publish(docker, "hooked", "qa-test/hooked", "FROM $BASE\nLABEL name=hooked version=1.0\nCMD [\"/bin/true\"]\n",
                Map.of());
    }

    @AfterAll
    static void cleanUp() throws Exception {
        TestImages.removeLocalImages(docker);
        docker.close();
    }

    @Test
    void theExampleHookReportsAResultThatIsStoredAndPublished() throws Exception {
        assertTrue(Files.isRegularFile(HOOK), "the example hook is at " + HOOK.toAbsolutePath());
        String reference = image.reference();
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            // qa has seen the image (so the hook needs no build id)
            kafka.send(TestImages.contextBuild(image.buildId(), image.component(), Map.of("Dockerfile", "FROM x\n")));
            kafka.send(image);
            kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId()) && r.testCase().equals("kiln.image.starts")
                    && r.outcome().isFinal(), WAIT);

            Process withToken = start(reference);
            String output = new String(withToken.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(withToken.waitFor(2, TimeUnit.MINUTES), output);
            assertEquals(0, withToken.exitValue(), output);
            assertTrue(output.contains("example.manifest.digest PASSED"), output);

            QaResult published = kafka.await(QaResult.class, r -> r.buildId().equals(image.buildId())
                    && r.testCase().equals("example.manifest.digest"), WAIT);
            assertEquals(QaOutcome.PASSED, published.outcome());
            assertEquals(CandidateRegistryResource.HOOK_NAME, published.reporter());
            assertEquals(image.digest(), published.subjectDigest());
            assertEquals(image.registry() + "/" + image.repository(), published.subjectRepository());
        }
        JsonPath stored = given().queryParam("digest", image.digest()).queryParam("testcase", "example.manifest.digest")
                .get("/api/v1/results").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("PASSED"), stored.getList("data.outcome"));
        assertEquals(CandidateRegistryResource.HOOK_NAME, stored.getString("data[0].reporter"));
        assertEquals(image.buildId(), stored.getString("data[0].data.build_id"));
        assertTrue(stored.getString("data[0].note").contains("hashes to its digest"), stored.getString("data[0].note"));
    }

    private static Process start(String reference) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HOOK.toString(), "--qa", qaUrl(), "--image", reference,
                "--registry-url", CandidateRegistryResource.registry().url()).redirectErrorStream(true);
        pb.environment().put("KILN_QA_HOOK_TOKEN", CandidateRegistryResource.HOOK_TOKEN);
        return pb.start();
    }

    private static String qaUrl() {
        return "http://localhost:" + io.restassured.RestAssured.port;
    }

    @Test
    void tokensAreCheckedAndKilnTestCasesAreReserved() {
        String body = "{\"testcase\":\"acme.scan\",\"outcome\":\"PASSED\",\"item\":\"" + image.reference()
                + "\",\"build_id\":\"b-1\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/results").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"))
                .body("status", equalTo(401)).body("title", equalTo("Unauthorized"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer wrong").body(body).post("/api/v1/results")
                .then().statusCode(403).contentType("application/problem+json").body("title", equalTo("Forbidden"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + CandidateRegistryResource.HOOK_TOKEN)
                .body(body.replace("acme.scan", "kiln.image.starts")).post("/api/v1/results")
                .then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("reserved for qa's own checks"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + CandidateRegistryResource.HOOK_TOKEN)
                .body(body.replace("PASSED", "GREAT")).post("/api/v1/results")
                .then().statusCode(422).body("detail", containsString("outcome must be one of"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + CandidateRegistryResource.HOOK_TOKEN)
                .body("{not json").post("/api/v1/results").then().statusCode(400).contentType("application/problem+json");
    }

    @Test
    void aHookReportsOnItsOwnTopicUnderItsOwnNameOnly() {
        TopicAccess.Hook acme = new TopicAccess.Hook("acme-scanner");
        KafkaResource.broker().addHook(acme); // kiln bus hook add acme-scanner
        String buildId = java.util.UUID.randomUUID().toString();
        String subject = image.registry() + "/" + image.repository();
        QaResult result = new QaResult(buildId, subject, image.digest(), "acme.cve.scan", QaOutcome.FAILED,
                "CVE-2026-0001 in openssl", "acme-scanner", "https://scanner.example/r/1", Instant.now());
        QaResult reserved = new QaResult(buildId, subject, image.digest(), "kiln.image.starts", QaOutcome.PASSED,
                "trust me", "acme-scanner", null, Instant.now());
        QaResult impostor = new QaResult(buildId, subject, image.digest(), "acme.cve.scan", QaOutcome.PASSED,
                "all clear", "kiln-qa", null, Instant.now());
        try (KafkaTestClient hook = KafkaTestClient.as(acme.principal());
                KafkaTestClient watch = new KafkaTestClient(EventType.QA_RESULT.topic(), acme.deadLetterTopic())) {
            // its certificate opens its own topic only: kiln.qa.result is qa's
            IllegalStateException refused = assertThrows(IllegalStateException.class, () -> hook.send(result));
            assertInstanceOf(TopicAuthorizationException.class, refused.getCause().getCause(), refused.toString());
            hook.send(acme.topic(), reserved);
            hook.send(acme.topic(), impostor);
            hook.send(acme.topic(), result);
            hook.send(acme.topic(), result); // sent again: stored and sent on once

            QaResult sentOn = watch.await(QaResult.class, r -> r.buildId().equals(buildId), WAIT);
            assertEquals("acme-scanner", sentOn.reporter());
            assertEquals("acme.cve.scan", sentOn.testCase());
            assertEquals(QaOutcome.FAILED, sentOn.outcome());
            for (int refusal = 0; refusal < 2; refusal++) { // the reserved test case and the impostor
                ConsumerRecord<String, String> dead = watch.awaitRecord(acme.deadLetterTopic(), buildId, WAIT);
                String reason = new String(dead.headers().lastHeader(DeadLetterHeaders.REASON).value(),
                        StandardCharsets.UTF_8);
                assertTrue(reason.startsWith("hook-result-refused: "), reason);
                assertTrue(reason.contains("reserved for qa") || reason.contains("reports under its own name"), reason);
            }
        }
        Awaitility.await().atMost(WAIT).untilAsserted(() -> given().queryParam("digest", image.digest())
                .queryParam("reporter", "acme-scanner").get("/api/v1/results").then().statusCode(200)
                .body("data.size()", equalTo(1))
                .body("data[0].testcase.name", equalTo("acme.cve.scan"))
                .body("data[0].outcome", equalTo("FAILED"))
                .body("data[0].ref_url", equalTo("https://scanner.example/r/1")));
        given().queryParam("digest", image.digest()).queryParam("reporter", "kiln-qa")
                .queryParam("testcase", "acme.cve.scan").get("/api/v1/results").then().statusCode(200)
                .body("data.size()", equalTo(0));
    }
}
