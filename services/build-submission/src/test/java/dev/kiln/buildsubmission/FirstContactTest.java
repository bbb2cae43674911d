package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static dev.kiln.buildsubmission.SubmissionResourceTest.unique;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.ProblemAssertions;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The hub's answers through service-support's shared problem mechanism: tokens checked before the body is read,
 * Content-Type required and the accepted types named, JSON mistakes named by field and type, unknown routes and
 * methods; each a problem document without Java or Jackson text, with nothing stored.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class FirstContactTest {
    private static final List<String> TABLES = List.of("submission.builds", "submission.build_history",
            "submission.contexts", "submission.nvr_reservations", "submission.components", "submission.component_owners",
            "submission.api_tokens");

    @Inject
    AgroalDataSource db;

    String refused(int status, String detailPart, Supplier<Response> request) {
        return ProblemAssertions.refused(db, TABLES, status, detailPart, request);
    }

    static String base() {
        return "http://localhost:" + io.restassured.RestAssured.port;
    }

    @Test
    void tokensAreCheckedBeforeTheBodyIsRead() {
        String maintainer = AccessTest.token("m-" + unique(), "maintainer");
        List<String[]> endpoints = List.of(new String[] {"POST", "/api/v1/builds"},
                new String[] {"POST", "/api/v1/components"}, new String[] {"PUT", "/api/v1/components/x/owners"},
                new String[] {"POST", "/api/v1/tokens"});
        for (String[] e : endpoints) {
            Response r = given().contentType("application/json").body("\u0000garbage{").request(e[0], e[1]);
            refused(401, "this request needs a token", () -> r);
            assertTrue(r.header("WWW-Authenticate").startsWith("Bearer"), r.headers().toString());
            ProblemAssertions.refusedRaw(db, TABLES, 401, "this request needs a token",
                    () -> ProblemAssertions.send(base(), e[0], e[1], "garbage"));
            refused(401, "not known to this hub", () -> given().header("Authorization", "Bearer nope")
                    .contentType("application/json").body("[[[").request(e[0], e[1]));
        }
        for (String[] e : endpoints.subList(1, endpoints.size())) {
            refused(403, "only an admin may do this", () -> given().header("Authorization", "Bearer " + maintainer)
                    .contentType("application/json").body("[[[").request(e[0], e[1]));
        }
        refused(401, "this request needs a token", () -> given().post("/api/v1/builds/" + unique() + "/cancel"));
        refused(401, "this request needs a token", () -> given().get("/api/v1/whoami"));
    }

    @Test
    void bodiesNameTheFieldAndTheType() {
        refused(400, "\"/scratch\" must be true or false", () -> admin().contentType("application/json")
                .body("{\"scratch\": \"maybe\", \"context\": {\"digest\": \"x\"}}").post("/api/v1/builds"));
        refused(400, "\"/context/digest\" must be a string", () -> admin().contentType("application/json")
                .body("{\"context\": {\"digest\": 5}}").post("/api/v1/builds"));
        String unknown = refused(400, "unknown field \"/colour\"", () -> admin().contentType("application/json")
                .body("{\"colour\": 1, \"context\": {\"digest\": \"x\"}}").post("/api/v1/builds"));
        assertTrue(unknown.contains("component, context, dockerfile, git, requester, scratch"), unknown);
        refused(400, "unknown field \"/git/branch\"", () -> admin().contentType("application/json")
                .body("{\"git\": {\"url\": \"file:///x\", \"branch\": \"main\"}}").post("/api/v1/builds"));
        refused(400, "\"/owners\" must be an array", () -> admin().contentType("application/json")
                .body("{\"name\": \"c-" + unique() + "\", \"owners\": \"alice\"}").post("/api/v1/components"));
        refused(400, "\"/owners/0\" must be a string", () -> admin().contentType("application/json")
                .body("{\"name\": \"c-" + unique() + "\", \"owners\": [{}]}").post("/api/v1/components"));
        refused(400, "not JSON syntax", () -> admin().contentType("application/json").body("{nope").post("/api/v1/tokens"));
        refused(400, "more than one JSON value", () -> admin().contentType("application/json")
                .body("{\"user\": \"a\", \"role\": \"maintainer\"} {}").post("/api/v1/tokens"));
    }

    @Test
    void contentTypesAreRequiredAndTheAcceptedOnesNamed() {
        refused(415, "send Content-Type: application/json", () -> admin().contentType("text/plain")
                .body("{\"context\": {\"digest\": \"x\"}}").post("/api/v1/builds"));
        ProblemAssertions.refusedRaw(db, TABLES, 415, "no Content-Type header was sent; send Content-Type: application/json",
                () -> ProblemAssertions.send(base(), "POST", "/api/v1/builds", "{\"context\": {\"digest\": \"x\"}}",
                        "Authorization", "Bearer " + SubmissionResourceTest.ADMIN_TOKEN));
        String tar = refused(415, "application/x-tar", () -> admin().contentType("application/json").body("{}")
                .post("/api/v1/contexts"));
        assertTrue(tar.contains("application/gzip") && tar.contains("application/octet-stream"), tar);
        ProblemAssertions.refusedRaw(db, TABLES, 415, "no Content-Type header was sent", () -> ProblemAssertions.send(base(),
                "POST", "/api/v1/contexts", "not a tar", "Authorization", "Bearer " + SubmissionResourceTest.ADMIN_TOKEN));
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        refused(404, "nothing answers GET \"/api/v1/nope\"", () -> given().get("/api/v1/nope"));
        Response r = admin().delete("/api/v1/builds");
        refused(405, "DELETE is not allowed", () -> r);
        assertTrue(r.header("Allow").contains("POST") && r.header("Allow").contains("GET"), r.headers().toString());
    }
}
