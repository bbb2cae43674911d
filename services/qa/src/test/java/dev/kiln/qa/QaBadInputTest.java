package dev.kiln.qa;

import static dev.kiln.testsupport.ProblemAssertions.assertProblem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.ProblemAssertions;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every bad request to qa is a 4xx problem document with a sentence to act on, and nothing is stored. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(CandidateRegistryResource.class)
class QaBadInputTest {
    private static final List<String> TABLES = List.of("qa.build_sources", "qa.runs", "qa.results");
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private static final String GOOD = "{\"testcase\":\"acme.scan\",\"outcome\":\"PASSED\",\"item\":\"localhost:5000/a/b@"
            + DIGEST + "\",\"build_id\":\"b-1\"}";

    @Inject
    AgroalDataSource db;

    String refused(int status, String detailPart, Supplier<Response> request) {
        return ProblemAssertions.refused(db, TABLES, status, detailPart, request);
    }

    static String base() {
        return "http://localhost:" + io.restassured.RestAssured.port;
    }

    static RequestSpecification hook() {
        return given().header("Authorization", "Bearer " + CandidateRegistryResource.HOOK_TOKEN);
    }

    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() {
        Response r = given().contentType("application/json").body("\u0000garbage{").post("/api/v1/results");
        refused(401, "Authorization: Bearer", () -> r);
        assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.headers().toString());
        ProblemAssertions.refusedRaw(db, TABLES, 401, "Authorization: Bearer", () -> ProblemAssertions.send(base(), "POST",
                "/api/v1/results", "garbage"));
        refused(403, "not one of qa's hook tokens", () -> given().header("Authorization", "Bearer wrong")
                .contentType("application/json").body("garbage").post("/api/v1/results"));
    }

    @Test
    void unreadableBodiesNameTheFieldAndTheType() {
        refused(400, "not JSON syntax", () -> hook().contentType("application/json").body("{not json").post("/api/v1/results"));
        refused(400, "ends before the JSON value is complete", () -> hook().contentType("application/json")
                .body("{\"testcase\": ").post("/api/v1/results"));
        refused(400, "\"/testcase\" must be a string", () -> hook().contentType("application/json")
                .body(GOOD.replace("\"acme.scan\"", "5")).post("/api/v1/results"));
        refused(400, "\"/note\" must be a string", () -> hook().contentType("application/json")
                .body(GOOD.replace("{", "{\"note\":{\"a\":1},")).post("/api/v1/results"));
        String unknown = refused(400, "unknown field \"/colour\"", () -> hook().contentType("application/json")
                .body(GOOD.replace("{", "{\"colour\":\"red\",")).post("/api/v1/results"));
        assertTrue(unknown.contains("build_id, item, note, outcome, ref_url, testcase"), unknown);
        refused(400, "the body must be a JSON object", () -> hook().contentType("application/json").body("[1, 2]")
                .post("/api/v1/results"));
        refused(400, "send a JSON body", () -> hook().contentType("application/json").body("").post("/api/v1/results"));
        refused(422, "note must not contain control characters", () -> hook().contentType("application/json")
                .body(GOOD.replace("{", "{\"note\":\"a\\u0000b\",")).post("/api/v1/results"));
        String cut = refused(422, "testcase must be", () -> hook().contentType("application/json")
                .body(GOOD.replace("acme.scan", "X".repeat(100))).post("/api/v1/results"));
        assertTrue(cut.length() < 200, cut);
    }

    @Test
    void contentTypesAreRequiredAndTheAcceptedOnesNamed() {
        refused(415, "send Content-Type: application/json", () -> hook().contentType("text/plain").body(GOOD)
                .post("/api/v1/results"));
        ProblemAssertions.refusedRaw(db, TABLES, 415, "no Content-Type header was sent; send Content-Type: application/json",
                () -> ProblemAssertions.send(base(), "POST", "/api/v1/results", GOOD, "Authorization",
                        "Bearer " + CandidateRegistryResource.HOOK_TOKEN));
    }

    @Test
    void queryAndPathParametersAreChecked() {
        refused(400, "digest must be a digest sha256:<64 lower-case hex digits>, got \"md5:1\"",
                () -> given().queryParam("digest", "md5:1").get("/api/v1/results"));
        refused(400, "limit must be from 1 to 1000, got -5", () -> given().queryParam("limit", "-5").get("/api/v1/results"));
        refused(400, "limit must be a whole number", () -> given().queryParam("limit", "ten").get("/api/v1/results"));
        refused(400, "outcome must be one of PASSED, FAILED", () -> given().queryParam("outcome", "GREAT")
                .get("/api/v1/results"));
        refused(400, "testcase must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/results?testcase=a%00b"));
        refused(400, "reporter must be at most 128 characters", () -> given().queryParam("reporter", "r".repeat(300))
                .get("/api/v1/results"));
        refused(400, "digest is required", () -> given().get("/api/v1/results/latest"));
        refused(400, "digest must be a digest", () -> given().queryParam("digest", "sha256:XYZ").get("/api/v1/results/latest"));
        refused(400, "id must be a whole number", () -> given().get("/api/v1/results/abc"));
        refused(400, "digest is required", () -> given().get("/api/v1/runs"));
        refused(400, "digest must be a digest", () -> given().queryParam("digest", "latest").get("/api/v1/runs"));
        refused(400, "id must be a run id", () -> given().get("/api/v1/runs/not-a-uuid"));
        refused(404, "no run", () -> given().get("/api/v1/runs/0b7e1d2c-4f3a-4c3e-9a57-1f2e3d4c5b6a"));
        given().queryParam("digest", DIGEST).queryParam("limit", "5").get("/api/v1/results").then().statusCode(200);
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        refused(404, "nothing answers GET \"/api/v1/nope\"", () -> given().get("/api/v1/nope"));
        Response r = given().delete("/api/v1/results");
        refused(405, "DELETE is not allowed", () -> r);
        assertTrue(r.header("Allow").contains("GET"), r.headers().toString());
        assertEquals(ProblemAssertions.PROBLEM, given().accept("text/html").get("/api/v1/nope").contentType());
    }
}
