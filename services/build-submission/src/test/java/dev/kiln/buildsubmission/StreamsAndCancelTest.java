package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static dev.kiln.buildsubmission.SubmissionResourceTest.unique;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.BuildState;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.EventCodec;
import dev.kiln.events.EventType;
import dev.kiln.events.Stage;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cancel, logs and state changes as Server-Sent Events, list filters and paging, OpenAPI. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class StreamsAndCancelTest {
    private static final String PROBLEM = "application/problem+json";

    @TestHTTPResource("/")
    URL base;

    record Sse(int status, String contentType, String body) {
        /** {@code event:data} pairs in order. */
        List<String> events() {
            List<String> out = new ArrayList<>();
            String event = "message";
            StringBuilder data = new StringBuilder();
            for (String line : body.split("\n", -1)) {
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        out.add(event + ":" + data);
                    }
                    event = "message";
                    data.setLength(0);
                } else if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).strip());
                }
            }
            return out;
        }
    }

    Sse sse(String path, String lastEventId) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base.toString()).resolve(path))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60));
        if (lastEventId != null) {
            r.header("Last-Event-ID", lastEventId);
        }
        HttpResponse<String> resp = HttpClient.newHttpClient().send(r.build(), HttpResponse.BodyHandlers.ofString());
        return new Sse(resp.statusCode(), resp.headers().firstValue("Content-Type").orElse(""), resp.body());
    }

    static String submit(String name, String extra) {
        String digest = SubmissionResourceTest.upload(
                TestTars.context("FROM x\nLABEL name=" + name + " version=1.0\n"), "application/x-tar");
        return SubmissionResourceTest.submitContext(digest, extra).then().statusCode(201).extract().path("id");
    }

    static String state(String id) {
        return given().when().get("/api/v1/builds/" + id).then().statusCode(200).extract().path("state");
    }

    @Test
    void cancelBeforeTheBuildStartedEndsItAtOnce() {
        String id = submit("cancel" + unique(), "");
        admin().when().post("/api/v1/builds/" + id + "/cancel").then().statusCode(202)
                .body("state", equalTo("CANCELED")).body("cancelRequested.by", equalTo("admin"));
        assertEquals("CANCELED", state(id));
        BuildCancelRequested req = EventCodec.decode(TestKafka.await(EventType.BUILD_CANCEL_REQUESTED.topic(),
                r -> id.equals(r.key())).value(), BuildCancelRequested.class);
        assertEquals("admin", req.requestedBy());
        BuildStateChanged changed = EventCodec.decode(TestKafka.await(EventType.BUILD_STATE_CHANGED.topic(),
                r -> id.equals(r.key()) && r.value().contains("\"CANCELED\"")).value(), BuildStateChanged.class);
        assertEquals(BuildState.SUBMITTED, changed.oldState());
        admin().when().post("/api/v1/builds/" + id + "/cancel").then().statusCode(409).contentType(PROBLEM);
        admin().when().post("/api/v1/builds/nope/cancel").then().statusCode(404).contentType(PROBLEM);

        // a late start and cancel confirmation change nothing
        String late = TestKafka.send(new BuildStarted(id, "w", "tcp://h:2376", Instant.now()));
        String confirm = TestKafka.send(new BuildCanceled(id, Stage.BUILD, "admin", Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/api/v1/builds/" + id)
                .then().body("history", hasSize(2)).body("state", equalTo("CANCELED")));
        assertFalse(late.isEmpty() || confirm.isEmpty());
    }

    @Test
    void cancelOfARunningBuildWaitsForContainerBuild() {
        String id = submit("cancelrun" + unique(), "");
        TestKafka.send(new BuildStarted(id, "w", "tcp://h:2376", Instant.now()));
        await().atMost(Duration.ofSeconds(60)).until(() -> state(id).equals("BUILDING"));
        admin().when().post("/api/v1/builds/" + id + "/cancel").then().statusCode(202)
                .body("state", equalTo("BUILDING")).body("cancelRequested.by", equalTo("admin"));
        TestKafka.await(EventType.BUILD_CANCEL_REQUESTED.topic(), r -> id.equals(r.key()));
        TestKafka.send(new BuildCanceled(id, Stage.BUILD, "admin", Instant.now()));
        await().atMost(Duration.ofSeconds(60)).until(() -> state(id).equals("CANCELED"));
    }

    @Test
    void logsAndStatesStreamAsServerSentEvents() throws Exception {
        String id = submit("sse" + unique(), "");
        Instant t = Instant.now();
        TestKafka.send(new BuildStarted(id, "w", "tcp://h:2376", t));
        TestKafka.send(new BuildLog(id, 0, List.of("Step 1/2 : FROM x", "---> abc"), t));
        TestKafka.send(new BuildLog(id, 1, List.of("Step 2/2 : RUN false"), t));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get("/api/v1/builds/" + id + "/logs")
                .then().statusCode(200).body(containsString("RUN false")));
        // build.started travels on its own topic: it must be applied before the failure below is sent, or the build
        // goes from SUBMITTED to FAILED and the late start changes nothing
        await().atMost(Duration.ofSeconds(60)).until(() -> state(id).equals("BUILDING"));

        // while it runs, the stream follows: the failure arrives after the request started
        Thread failer = new Thread(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            TestKafka.send(new BuildFailed(id, Stage.BUILD, "build-step-failed", "RUN false exited with 1", false, t));
        });
        failer.start();
        Sse logs = sse("/api/v1/builds/" + id + "/logs", null);
        failer.join();
        assertEquals(200, logs.status());
        assertTrue(logs.contentType().startsWith("text/event-stream"), logs.contentType());
        List<String> events = logs.events();
        assertTrue(events.get(0).startsWith("log:") && events.get(0).contains("\"---> abc\""), events.toString());
        assertTrue(events.get(1).contains("RUN false"), events.toString());
        assertEquals("end:{\"state\":\"FAILED\"}", events.get(events.size() - 1));

        // resuming after batch 0 sends batch 1 only
        List<String> resumed = sse("/api/v1/builds/" + id + "/logs", "0").events();
        assertEquals(2, resumed.size(), resumed.toString());
        assertTrue(resumed.get(0).contains("RUN false"));

        // plain text afterwards (also the default for clients that accept anything)
        Response text = given().when().get("/api/v1/builds/" + id + "/logs");
        text.then().statusCode(200).contentType(containsString("text/plain"));
        assertEquals("Step 1/2 : FROM x\n---> abc\nStep 2/2 : RUN false\n", text.asString());

        List<String> states = sse("/api/v1/builds/" + id + "/events", null).events();
        assertTrue(states.get(0).startsWith("state:{\"state\":\"SUBMITTED\""), states.toString());
        assertTrue(states.get(1).startsWith("state:{\"state\":\"BUILDING\""), states.toString());
        assertTrue(states.get(2).startsWith("state:{\"state\":\"FAILED\""), states.toString());
        String end = states.get(3);
        assertTrue(end.startsWith("end:{") && end.contains("\"id\":\"" + id + "\"")
                && end.contains("\"reason\":\"build-step-failed\""), end);

        Sse missing = sse("/api/v1/builds/nope" + unique() + "/events", null);
        assertEquals(404, missing.status());
        assertTrue(missing.contentType().startsWith(PROBLEM), missing.contentType());
        assertEquals(404, sse("/api/v1/builds/nope/logs", null).status());
        assertEquals(400, sse("/api/v1/builds/" + id + "/logs", "x").status());
    }

    @Test
    void listFiltersAndPages() {
        String name = "list" + unique();
        String a = submit(name, ",\"requester\":\"ann\"");
        String b = submit(name, ",\"requester\":\"ben\"");
        String c = submit(name, ",\"requester\":\"ann\",\"scratch\":true");
        given().queryParam("component", name).when().get("/api/v1/builds").then().statusCode(200)
                .body("id", equalTo(List.of(c, b, a)));
        given().queryParam("component", name).queryParam("requester", "ann").when().get("/api/v1/builds")
                .then().statusCode(200).body("id", equalTo(List.of(c, a)));
        given().queryParam("component", name).queryParam("state", "submitted").when().get("/api/v1/builds")
                .then().statusCode(200).body("", hasSize(3));
        given().queryParam("component", name).queryParam("state", "COMPLETE").when().get("/api/v1/builds")
                .then().statusCode(200).body("", hasSize(0));
        given().queryParam("component", name).queryParam("since", "2999-01-01").when().get("/api/v1/builds")
                .then().statusCode(200).body("", hasSize(0));
        given().queryParam("component", name).queryParam("since", "2000-01-01T00:00:00Z").when().get("/api/v1/builds")
                .then().statusCode(200).body("", hasSize(3));

        Response first = given().queryParam("component", name).queryParam("limit", 2).when().get("/api/v1/builds");
        first.then().statusCode(200).body("id", equalTo(List.of(c, b)));
        String link = first.header("Link");
        assertTrue(link != null && link.contains("page=2") && link.endsWith("rel=\"next\""), link);
        Response second = given().queryParam("component", name).queryParam("limit", 2).queryParam("page", 2)
                .when().get("/api/v1/builds");
        second.then().statusCode(200).body("id", equalTo(List.of(a))).header("Link", nullValue());

        given().queryParam("since", "yesterday").when().get("/api/v1/builds").then().statusCode(400)
                .contentType(PROBLEM).body("detail", containsString("ISO-8601"));
        given().queryParam("page", 0).when().get("/api/v1/builds").then().statusCode(400).contentType(PROBLEM);
        given().queryParam("limit", 100000).when().get("/api/v1/builds").then().statusCode(400).contentType(PROBLEM);
        given().queryParam("limit", "many").when().get("/api/v1/builds").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void openApiIsServed() {
        String doc = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .extract().asString();
        for (String path : List.of("/api/v1/builds", "/api/v1/builds/{id}", "/api/v1/builds/{id}/logs",
                "/api/v1/builds/{id}/events", "/api/v1/builds/{id}/cancel", "/api/v1/contexts",
                "/api/v1/components", "/api/v1/components/{name}/owners", "/api/v1/tokens", "/api/v1/whoami")) {
            assertTrue(doc.contains("\"" + path + "\""), path + " missing from the OpenAPI document");
        }
        assertTrue(doc.contains("\"LayerJson\""), "the build record's layers are not described");
    }
}
