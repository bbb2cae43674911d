package dev.kiln.signing;

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

/** Every bad request to signing is a 4xx problem document with a sentence to act on, and nothing is stored. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(SigningTestResource.class)
class SigningBadInputTest {
    private static final List<String> TABLES = List.of("signing.signatures", "signing.openpgp_keys");
    private static final String HEX = "ab".repeat(32);

    @Inject
    AgroalDataSource db;

    String refused(int status, String detailPart, Supplier<Response> request) {
        return ProblemAssertions.refused(db, TABLES, status, detailPart, request);
    }

    @Test
    void queryAndPathParametersAreChecked() {
        refused(400, "format must be one of cosign, openpgp, got \"pgp\"", () -> given().get("/api/v1/keys?format=pgp"));
        refused(400, "keyId must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/keys/ab%00cd.pem"));
        refused(400, "keyId must be at most 128 characters", () -> given().get("/api/v1/keys/" + "a".repeat(300) + ".asc"));
        refused(400, "keyId must be a key id or fingerprint", () -> given().urlEncodingEnabled(false)
                .get("/api/v1/keys/%3Cscript%3E.pem"));
        refused(404, "no cosign key has the id \"SHA256:00\"", () -> given().get("/api/v1/keys/SHA256:00.pem"));
        refused(404, "no OpenPGP key has the fingerprint \"ABCD\"", () -> given().get("/api/v1/keys/ABCD.asc"));
        refused(400, "the path must be /lookaside/<repository>@sha256=<64 hex>/signature-<N>",
                () -> given().get("/lookaside/garbage"));
        refused(400, "signature-<N>", () -> given().get("/lookaside/repo@sha256=" + HEX + "/signature-0"));
        refused(400, "path must not contain control characters", () -> given().urlEncodingEnabled(false)
                .get("/lookaside/repo%00@sha256=" + HEX + "/signature-1"));
        String cut = refused(400, "the path must be", () -> given().get("/lookaside/" + "x".repeat(900)));
        assertTrue(cut.length() < 250, cut);
        refused(404, "no signature at", () -> given().get("/lookaside/unsigned/repo@sha256=" + HEX + "/signature-1"));
    }

    @Test
    void unknownRoutesAndMethodsAreProblemsToo() {
        refused(404, "nothing answers GET \"/api/v1/nope\"", () -> given().get("/api/v1/nope"));
        Response r = given().contentType("application/json").body("garbage").post("/api/v1/keys");
        refused(405, "POST is not allowed", () -> r);
        assertTrue(r.header("Allow").contains("GET"), r.headers().toString());
    }
}
