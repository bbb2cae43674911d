package dev.kiln.qa;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A whole QA run through Kafka: test files from a git source (arriving after the image), a bad file, a context source,
 * an unknown source; every test case QUEUED, RUNNING, final; results and JUnit XML over REST; a redelivery.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class QaRunFlowTest {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final List<String> BUILT_IN = List.of("kiln.image.starts", "kiln.image.labels", "kiln.image.no-secrets",
            "kiln.image.size", "kiln.image.user");
    static final String APP_TESTS = """
            schemaVersion: "2.0.0"
            commandTests:
              - name: Greets
                command: env
                envVars:
                  - key: APP
                    value: flow
                expectedOutput: ["APP=flow"]
            fileExistenceTests:
              - name: conf
                path: /app/app.conf
                permissions: "-rw-r--r--"
            fileContentTests:
              - name: conf content
                path: /app/app.conf
                expectedContents: ["port=9090"]
            """;
    static final String BAD_TESTS = """
            schemaVersion: "2.0.0"
            commandTests:
              - name: typo
                command: "true"
                exitcode: 0
            """;
    private static DockerClient docker;
    private static ImagePushed image;

    @BeforeAll
    static void image() throws Exception {
        docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
        image = TestImages.publish(docker, "flow", "qa-test/flow", """
                FROM $BASE
                LABEL name=flow version=1.0
                COPY app.conf /app/app.conf
                CMD ["/bin/sh", "-c", "echo up"]
                """, Map.of("app.conf", "port=8080\n"));
    }

    @AfterAll
    static void cleanUp() throws Exception {
        TestImages.removeLocalImages(docker);
        docker.close();
    }

    private static ImagePushed forBuild(String buildId) {
        return new ImagePushed(buildId, image.component(), false, image.nvr(), image.registry(), image.repository(),
                image.tags(), image.digest(), image.mediaType(), image.sizeBytes(), image.time());
    }

    /** Waits for QUEUED, then the final result of every test case; returns the final results by test case. */
    private static Map<String, QaResult> awaitRun(KafkaTestClient kafka, String buildId, List<String> cases) {
        for (String c : cases) {
            QaResult queued = kafka.await(QaResult.class, r -> r.buildId().equals(buildId) && r.testCase().equals(c), WAIT);
            assertEquals(QaOutcome.QUEUED, queued.outcome(), c + ": " + queued.summary());
        }
        Map<String, QaResult> done = new LinkedHashMap<>();
        for (String c : cases) {
            done.put(c, kafka.await(QaResult.class, r -> r.buildId().equals(buildId) && r.testCase().equals(c)
                    && r.outcome().isFinal(), WAIT));
        }
        return done;
    }

    @Test
    void testsFromAGitSourceThatArrivesAfterTheImage() throws Exception {
        String buildId = UUID.randomUUID().toString();
        BuildRequested request = TestImages.gitBuild(buildId, "flow", Map.of("Dockerfile", "FROM x\n",
                "tests/app.yaml", APP_TESTS, "tests/bad.yaml", BAD_TESTS, "tests/README.md", "not a test file"));
        List<String> cases = new java.util.ArrayList<>(BUILT_IN);
        cases.addAll(List.of("kiln.cst", "kiln.cst.app.greets", "kiln.cst.app.conf", "kiln.cst.app.conf-content", "kiln.cst.bad"));
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(forBuild(buildId));
            Thread.sleep(1000); // the source is recorded after the image arrived: qa waits for it
            kafka.send(request);
            Map<String, QaResult> done = awaitRun(kafka, buildId, cases);
            for (String c : BUILT_IN) {
                assertEquals(QaOutcome.PASSED, done.get(c).outcome(), c + ": " + done.get(c).summary());
            }
            assertEquals("warning: runs as root (no USER in the image)", done.get("kiln.image.user").summary());
            assertEquals("read tests/app.yaml, tests/bad.yaml (3 tests, 1 invalid file)", done.get("kiln.cst").summary());
            assertEquals(QaOutcome.PASSED, done.get("kiln.cst.app.greets").outcome(), done.get("kiln.cst.app.greets").summary());
            assertEquals(QaOutcome.PASSED, done.get("kiln.cst.app.conf").outcome(), done.get("kiln.cst.app.conf").summary());
            QaResult content = done.get("kiln.cst.app.conf-content");
            assertEquals(QaOutcome.FAILED, content.outcome());
            assertEquals("/app/app.conf does not match \"port=9090\"", content.summary());
            QaResult bad = done.get("kiln.cst.bad");
            assertEquals(QaOutcome.ERROR, bad.outcome());
            assertTrue(bad.summary().startsWith("tests/bad.yaml: commandTests test \"typo\": unknown field \"exitcode\"; "),
                    bad.summary());
            assertTrue(!bad.summary().contains("Exception") && !bad.summary().contains("\tat "), bad.summary());
        }

        // the results store, ResultsDB style
        JsonPath greets = given().queryParam("digest", image.digest()).queryParam("testcase", "kiln.cst.app.greets")
                .get("/api/v1/results").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of("PASSED", "RUNNING", "QUEUED"), greets.getList("data.outcome"));
        assertEquals("kiln-qa", greets.getString("data[0].reporter"));
        assertEquals(image.registry() + "/" + image.repository() + "@" + image.digest(), greets.getString("data[0].data.item"));
        long id = greets.getLong("data[0].id");
        given().get("/api/v1/results/" + id).then().statusCode(200)
                .body("testcase.name", org.hamcrest.Matchers.equalTo("kiln.cst.app.greets"))
                .body("outcome", org.hamcrest.Matchers.equalTo("PASSED"))
                .body("note", org.hamcrest.Matchers.notNullValue())
                .body("submit_time", org.hamcrest.Matchers.notNullValue());
        given().get("/api/v1/results/999999999").then().statusCode(404).contentType("application/problem+json");

        JsonPath runs = given().queryParam("digest", image.digest()).get("/api/v1/runs").then().statusCode(200).extract().jsonPath();
        String runId = runs.getList("data.findAll { it.build_id == '" + buildId + "' }.id", String.class).get(0);
        JsonPath run = given().get("/api/v1/runs/" + runId).then().statusCode(200).extract().jsonPath();
        assertNotNull(run.getString("finished_at"));
        assertEquals(cases.size(), run.getList("results").size());

        String xml = given().get("/api/v1/runs/" + runId + "/junit.xml").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.startsWith("application/xml")).extract().asString();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element suite = doc.getDocumentElement();
        assertEquals(String.valueOf(cases.size()), suite.getAttribute("tests"));
        assertEquals("1", suite.getAttribute("failures"));
        assertEquals("1", suite.getAttribute("errors"));
        NodeList failures = doc.getElementsByTagName("failure");
        assertEquals("kiln.cst.app.conf-content", ((Element) failures.item(0).getParentNode()).getAttribute("name"));

        // a redelivered image.pushed runs nothing again: the final results are announced again, nothing new is stored
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(forBuild(buildId));
            QaResult again = kafka.await(QaResult.class, r -> r.buildId().equals(buildId)
                    && r.testCase().equals("kiln.cst.app.greets") && r.outcome() == QaOutcome.PASSED, WAIT);
            assertEquals(greets.getString("data[0].time"), again.time().toString());
        }
        assertEquals(1, given().queryParam("digest", image.digest()).get("/api/v1/runs").then().extract().jsonPath()
                .getList("data.findAll { it.build_id == '" + buildId + "' }").size());
        assertEquals(3, given().queryParam("digest", image.digest()).queryParam("testcase", "kiln.cst.app.greets")
                .get("/api/v1/results").then().extract().jsonPath().getList("data.findAll { it.data.build_id == '" + buildId + "' }").size());
        ImageStartsCheckTest.assertNoTestContainerLeft(docker);
    }

    @Test
    void testsFromAnUploadedContextAndAnUnknownSource() throws Exception {
        String contextBuild = UUID.randomUUID().toString();
        String unknownBuild = UUID.randomUUID().toString();
        try (KafkaTestClient kafka = new KafkaTestClient(EventType.QA_RESULT)) {
            kafka.send(TestImages.contextBuild(contextBuild, "flow", Map.of("Dockerfile", "FROM x\n", "tests/meta.yml", """
                    schemaVersion: "2.0.0"
                    metadataTest:
                      labels:
                        - key: name
                          value: flow
                      cmd: ["/bin/sh", "-c", "echo up"]
                    """)));
            kafka.send(forBuild(contextBuild));
            Map<String, QaResult> done = awaitRun(kafka, contextBuild, List.of("kiln.image.starts", "kiln.cst", "kiln.cst.meta.metadata"));
            assertEquals(QaOutcome.PASSED, done.get("kiln.cst.meta.metadata").outcome(), done.get("kiln.cst.meta.metadata").summary());

            kafka.send(forBuild(unknownBuild));
            done = awaitRun(kafka, unknownBuild, List.of("kiln.image.starts", "kiln.cst"));
            assertEquals(QaOutcome.PASSED, done.get("kiln.image.starts").outcome());
            assertEquals(QaOutcome.NEEDS_INSPECTION, done.get("kiln.cst").outcome());
            assertTrue(done.get("kiln.cst").summary().startsWith("the build's source was not known to qa within 5s"),
                    done.get("kiln.cst").summary());
        }
    }
}
