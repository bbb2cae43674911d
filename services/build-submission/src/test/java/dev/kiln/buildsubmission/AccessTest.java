package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static dev.kiln.buildsubmission.SubmissionResourceTest.unique;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tokens, roles, components and owners: 401 without a token, 403 with the wrong one. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
class AccessTest {
    private static final String PROBLEM = "application/problem+json";

    @Inject
    AgroalDataSource dataSource;

    static String token(String user, String role) {
        return admin().contentType("application/json")
                .body("{\"user\":\"" + user + "\",\"role\":\"" + role + "\",\"description\":\"test\"}")
                .when().post("/api/v1/tokens")
                .then().statusCode(201).body("user", equalTo(user)).body("role", equalTo(role))
                .body("token", startsWith("kiln_"))
                .extract().path("token");
    }

    static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    static String upload(String token, String dockerfile) {
        return as(token).contentType("application/x-tar").body(TestTars.context(dockerfile))
                .when().post("/api/v1/contexts").then().statusCode(201).extract().path("digest");
    }

    static Response submit(String token, String digest, String extra) {
        return as(token).contentType("application/json")
                .body("{\"context\":{\"digest\":\"" + digest + "\"}" + extra + "}").when().post("/api/v1/builds");
    }

    long count(String sql, String param) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void withoutATokenWritesAre401AndReadsAreOpen() {
        String digest = upload(SubmissionResourceTest.ADMIN_TOKEN, "FROM x\nLABEL name=open" + unique() + " version=1\n");
        given().contentType("application/x-tar").body(TestTars.context("FROM x\n")).when().post("/api/v1/contexts")
                .then().statusCode(401).contentType(PROBLEM).header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401)).body("detail", containsString("token"));
        given().contentType("application/json").body("{\"context\":{\"digest\":\"" + digest + "\"}}")
                .when().post("/api/v1/builds").then().statusCode(401).contentType(PROBLEM);
        as("kiln_not-a-real-token").contentType("application/json")
                .body("{\"context\":{\"digest\":\"" + digest + "\"}}")
                .when().post("/api/v1/builds").then().statusCode(401).contentType(PROBLEM)
                .body("detail", containsString("not known"));
        given().header("Authorization", "Basic YWRtaW46YWRtaW4=").when().get("/api/v1/whoami")
                .then().statusCode(401).contentType(PROBLEM);
        given().when().get("/api/v1/whoami").then().statusCode(401).contentType(PROBLEM);
        given().when().post("/api/v1/builds/x/cancel").then().statusCode(401).contentType(PROBLEM);
        given().contentType("application/json").body("{\"user\":\"x\",\"role\":\"admin\"}")
                .when().post("/api/v1/tokens").then().statusCode(401).contentType(PROBLEM);

        // reads stay open (like Koji's hub); container-build fetches contexts without a token
        String id = submit(SubmissionResourceTest.ADMIN_TOKEN, digest, "").then().statusCode(201).extract().path("id");
        given().when().get("/api/v1/builds/" + id).then().statusCode(200);
        given().when().get("/api/v1/builds").then().statusCode(200);
        given().when().get("/api/v1/builds/" + id + "/logs").then().statusCode(200);
        given().when().get("/api/v1/contexts/" + digest).then().statusCode(200);
        given().when().get("/api/v1/components").then().statusCode(200);
    }

    @Test
    void tokensAreStoredHashedAndOnlyAdminsManageThem() throws Exception {
        String user = "bob" + unique();
        String token = token(user, "maintainer");
        as(token).when().get("/api/v1/whoami").then().statusCode(200)
                .body("user", equalTo(user)).body("role", equalTo("maintainer"));
        admin().when().get("/api/v1/whoami").then().statusCode(200)
                .body("user", equalTo("admin")).body("role", equalTo("admin"));

        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(token.getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, count("SELECT COUNT(*) FROM submission.api_tokens WHERE token_hash = '" + hash
                + "' AND username = ?", user));
        assertEquals(0, count("SELECT COUNT(*) FROM submission.api_tokens WHERE token_hash = ?", token));

        as(token).contentType("application/json").body("{\"user\":\"" + user + "\",\"role\":\"admin\"}")
                .when().post("/api/v1/tokens").then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString("only an admin"));
        as(token).contentType("application/json").body("{\"name\":\"x" + unique() + "\",\"owners\":[\"" + user + "\"]}")
                .when().post("/api/v1/components").then().statusCode(403).contentType(PROBLEM);
        as(token).contentType("application/json").body("{\"owners\":[\"" + user + "\"]}")
                .when().put("/api/v1/components/whatever/owners").then().statusCode(403).contentType(PROBLEM);
        admin().contentType("application/json").body("{\"user\":\"" + user + "\",\"role\":\"wizard\"}")
                .when().post("/api/v1/tokens").then().statusCode(400).contentType(PROBLEM)
                .body("detail", containsString("maintainer"));
        admin().contentType("application/json").body("{\"user\":\"../x\",\"role\":\"admin\"}")
                .when().post("/api/v1/tokens").then().statusCode(400).contentType(PROBLEM);
    }

    @Test
    void maintainersBuildOnlyWhatTheyOwn() throws Exception {
        String comp = "owned" + unique();
        String bob = "bob" + unique();
        String carol = "carol" + unique();
        String bobToken = token(bob, "maintainer");
        String carolToken = token(carol, "maintainer");
        String relengToken = token("releng" + unique(), "release-engineer");

        admin().contentType("application/json").body("{\"name\":\"" + comp + "\",\"owners\":[\"" + bob + "\"]}")
                .when().post("/api/v1/components").then().statusCode(201)
                .body("name", equalTo(comp)).body("owners", equalTo(List.of(bob))).body("createdBy", equalTo("admin"));
        admin().contentType("application/json").body("{\"name\":\"" + comp + "\",\"owners\":[\"" + bob + "\"]}")
                .when().post("/api/v1/components").then().statusCode(409).contentType(PROBLEM);
        given().when().get("/api/v1/components").then().statusCode(200).body("name", hasItem(comp));

        String dockerfile = "FROM x\nLABEL name=" + comp + " version=1.0\n";
        // the owner builds; the requester is the token's user, whatever the body says
        String digest = upload(bobToken, dockerfile);
        String bobsBuild = submit(bobToken, digest, ",\"requester\":\"mallory\"").then().statusCode(201)
                .body("requester", equalTo(bob)).body("component", equalTo(comp)).extract().path("id");

        // another maintainer may not; nothing is stored
        long before = count("SELECT COUNT(*) FROM submission.builds WHERE component = ?", comp);
        submit(carolToken, digest, "").then().statusCode(403).contentType(PROBLEM)
                .body("detail", containsString(carol + " does not own component " + comp));
        assertEquals(before, count("SELECT COUNT(*) FROM submission.builds WHERE component = ?", comp));
        assertEquals(1, count("SELECT COUNT(*) FROM submission.nvr_reservations WHERE name = ?", comp));

        // nor cancel bob's build
        as(carolToken).when().post("/api/v1/builds/" + bobsBuild + "/cancel").then().statusCode(403)
                .contentType(PROBLEM);

        // until an admin makes her an owner
        admin().contentType("application/json").body("{\"owners\":[\"" + bob + "\",\"" + carol + "\"]}")
                .when().put("/api/v1/components/" + comp + "/owners").then().statusCode(200)
                .body("owners", equalTo(List.of(bob, carol)));
        submit(carolToken, digest, "").then().statusCode(201).body("requester", equalTo(carol));
        as(carolToken).when().post("/api/v1/builds/" + bobsBuild + "/cancel").then().statusCode(202);

        // release engineers build any registered component
        submit(relengToken, digest, "").then().statusCode(201);

        // an unknown component: refused for maintainers and release engineers, nothing stored
        String unknown = "unknown" + unique();
        String unknownDigest = upload(bobToken, "FROM x\nLABEL name=" + unknown + " version=1.0\n");
        submit(bobToken, unknownDigest, "").then().statusCode(404).contentType(PROBLEM)
                .body("detail", equalTo("component " + unknown + " is not registered; ask an admin: kiln component add "
                        + unknown + " --owner " + bob));
        submit(relengToken, unknownDigest, "").then().statusCode(404).contentType(PROBLEM);
        assertEquals(0, count("SELECT COUNT(*) FROM submission.builds WHERE component = ?", unknown));
        assertEquals(0, count("SELECT COUNT(*) FROM submission.nvr_reservations WHERE name = ?", unknown));
        assertEquals(0, count("SELECT COUNT(*) FROM submission.components WHERE name = ?", unknown));

        // an admin's build registers it, with the admin as owner
        submit(SubmissionResourceTest.ADMIN_TOKEN, unknownDigest, "").then().statusCode(201)
                .body("requester", equalTo("admin"));
        given().when().get("/api/v1/components/" + unknown).then().statusCode(200)
                .body("owners", equalTo(List.of("admin")));
        given().when().get("/api/v1/components/nope" + unique()).then().statusCode(404).contentType(PROBLEM);
        admin().contentType("application/json").body("{\"owners\":[]}")
                .when().put("/api/v1/components/" + unknown + "/owners").then().statusCode(400).contentType(PROBLEM);
        admin().contentType("application/json").body("{\"owners\":[\"x\"]}")
                .when().put("/api/v1/components/nope" + unique() + "/owners").then().statusCode(404);
        assertNotEquals(bobToken, carolToken);
    }

    @Test
    void aRevokedTokenStandsForNobodyAndStaysOnRecord() {
        String user = "rev" + unique();
        String token = token(user, "maintainer");
        as(token).when().get("/api/v1/whoami").then().statusCode(200).body("user", equalTo(user));
        String id = admin().when().get("/api/v1/tokens").then().statusCode(200)
                .extract().jsonPath().getString("find { it.user == '" + user + "' }.id");
        assertNotEquals(null, id, "the new token is listed");
        as(token).when().get("/api/v1/tokens").then().statusCode(403).contentType(PROBLEM);
        as(token).when().delete("/api/v1/tokens/" + id).then().statusCode(403).contentType(PROBLEM);

        admin().when().delete("/api/v1/tokens/" + id).then().statusCode(200).body("id", equalTo(id))
                .body("revokedBy", equalTo("admin")).body("revokedAt", startsWith("20"));
        as(token).when().get("/api/v1/whoami").then().statusCode(401).contentType(PROBLEM)
                .body("detail", containsString("not known to this hub"));
        // revoking again changes nothing; the record is listed only when asked for
        String revokedAt = admin().when().delete("/api/v1/tokens/" + id).then().statusCode(200)
                .extract().path("revokedAt");
        assertEquals(revokedAt, admin().when().get("/api/v1/tokens?revoked=true").then().statusCode(200)
                .extract().jsonPath().getString("find { it.id == '" + id + "' }.revokedAt"));
        assertEquals(null, admin().when().get("/api/v1/tokens").then().statusCode(200)
                .extract().jsonPath().getString("find { it.id == '" + id + "' }"));
        admin().when().delete("/api/v1/tokens/no-such-token").then().statusCode(404).contentType(PROBLEM)
                .body("detail", containsString("kiln token list"));
    }
}
