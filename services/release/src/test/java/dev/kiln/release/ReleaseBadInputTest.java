package dev.kiln.release;

import static io.restassured.RestAssured.given;
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

/** Every bad request to release is a 4xx problem document with a sentence to act on, and nothing is stored. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(ReleaseTestResource.class)
class ReleaseBadInputTest {
    private static final List<String> TABLES = List.of("release.subjects", "release.qa_results", "release.signatures",
            "release.waivers", "release.promotions");

    @Inject
    AgroalDataSource db;

    String refused(int status, String detailPart, Supplier<Response> request) {
        return ProblemAssertions.refused(db, TABLES, status, detailPart, request);
    }

    static String base() {
        return "http://localhost:" + io.restassured.RestAssured.port;
    }

    static RequestSpecification engineer() {
        return given().header("Authorization", "Bearer " + ReleaseTestResource.engineerToken);
    }

    @Test
    void theTokenIsCheckedBeforeTheBodyIsRead() {
        for (String path : List.of("/api/v1/promotions", "/api/v1/waivers")) {
            Response r = given().contentType("application/json").body("\u0000garbage{").post(path);
            refused(401, "this request needs a token", () -> r);
            assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.headers().toString());
            ProblemAssertions.refusedRaw(db, TABLES, 401, "this request needs a token",
                    () -> ProblemAssertions.send(base(), "POST", path, "garbage"));
            refused(403, "max has role maintainer", () -> given().header("Authorization", "Bearer "
                    + ReleaseTestResource.maintainerToken).contentType("application/json").body("[[[").post(path));
        }
    }

    @Test
    void unreadableBodiesNameTheFieldAndTheType() {
        for (String path : List.of("/api/v1/promotions", "/api/v1/waivers")) {
            refused(400, "not JSON syntax", () -> engineer().contentType("application/json").body("{not json").post(path));
            refused(400, "ends before the JSON value is complete", () -> engineer().contentType("application/json")
                    .body("{\"buildId\": ").post(path));
            refused(400, "\"/buildId\" must be a string", () -> engineer().contentType("application/json")
                    .body("{\"buildId\": 42}").post(path));
            refused(400, "\"/buildId\" must be a string", () -> engineer().contentType("application/json")
                    .body("{\"buildId\": {\"id\": \"b\"}}").post(path));
            refused(400, "unknown field \"/colour\"", () -> engineer().contentType("application/json")
                    .body("{\"buildId\": \"b\", \"colour\": 1}").post(path));
            refused(400, "the body must be a JSON object", () -> engineer().contentType("application/json")
                    .body("[\"b\"]").post(path));
            refused(400, "the body must be", () -> engineer().contentType("application/json").body("").post(path));
            refused(400, "buildId must not contain control characters", () -> engineer().contentType("application/json")
                    .body("{\"buildId\": \"a\\u0000b\"}").post(path));
            refused(415, "send Content-Type: application/json", () -> engineer().contentType("text/plain")
                    .body("{\"buildId\": \"b\"}").post(path));
            ProblemAssertions.refusedRaw(db, TABLES, 415, "no Content-Type header was sent; send Content-Type: application/json",
                    () -> ProblemAssertions.send(base(), "POST", path, "{\"buildId\": \"b\"}", "Authorization",
                            "Bearer " + ReleaseTestResource.engineerToken));
        }
        refused(400, "\"/to\" must be a string", () -> engineer().contentType("application/json")
                .body("{\"buildId\": \"b\", \"to\": [\"x\"]}").post("/api/v1/promotions"));
        refused(400, "comment must not contain control characters", () -> engineer().contentType("application/json")
                .body("{\"buildId\": \"b\", \"testCase\": \"a.b\", \"comment\": \"x\\u001b[2J\"}").post("/api/v1/waivers"));
        String cut = refused(404, "no event about build", () -> engineer().contentType("application/json")
                .body("{\"buildId\": \"" + "b".repeat(120) + "\"}").post("/api/v1/promotions"));
        assertTrue(cut.length() < 200, cut);
    }

    @Test
    void queryAndPathParametersAreChecked() {
        refused(400, "digest is required", () -> given().get("/api/v1/decisions"));
        refused(400, "digest must be a digest sha256:<64 lower-case hex digits>, got \"sha256:XYZ\"",
                () -> given().get("/api/v1/decisions?digest=sha256:XYZ"));
        refused(400, "buildId must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/decisions/a%00b"));
        refused(400, "buildId must be at most 128 characters", () -> given().get("/api/v1/decisions/" + "b".repeat(200)));
        refused(404, "no gating decision was made for build \"nope\"", () -> given().get("/api/v1/decisions/nope"));
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        refused(404, "nothing answers GET \"/api/v1/nope\"", () -> given().get("/api/v1/nope"));
        Response r = engineer().contentType("application/json").body("{}").put("/api/v1/promotions");
        refused(405, "PUT is not allowed", () -> r);
        assertTrue(r.header("Allow").contains("POST"), r.headers().toString());
        refused(405, "DELETE is not allowed", () -> given().delete("/api/v1/decisions"));
    }
}
