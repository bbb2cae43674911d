package dev.kiln.buildsubmission;

import static dev.kiln.buildsubmission.SubmissionResourceTest.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TinyImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The hub as the registries' token realm, against two real distribution registries configured with
 * {@code auth: token} (realm: this hub, root: the signer's CA): each principal pushes where {@code RegistryAccess}
 * lets it and nowhere else, and after every refusal the repository holds what it held before.
 */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(RegistrySignerResource.class)
class RegistryTokenTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static RegistryProcess candidate;
    private static RegistryProcess production;

    @TestHTTPResource("/api/v1/registry/token")
    URL realm;

    @BeforeEach
    void registries() {
        synchronized (RegistryTokenTest.class) {
            if (candidate == null) {
                candidate = RegistryProcess.startWithTokenAuth("candidate", realm.toString(), "kiln-candidate", "kiln",
                        RegistrySignerResource.rootCertBundle());
                production = RegistryProcess.startWithTokenAuth("production", realm.toString(), "kiln-production",
                        "kiln", RegistrySignerResource.rootCertBundle());
            }
        }
    }

    @AfterAll
    static void stop() {
        if (candidate != null) {
            candidate.close();
            production.close();
        }
    }

    @Test
    void eachPrincipalPushesOnlyWhereItsRoleLetsIt() {
        String repo = "hello-" + UUID.randomUUID().toString().substring(0, 8);
        String registryPush = AccessTest.token("registry-push", "service");
        String release = AccessTest.token("release", "service");
        String signing = AccessTest.token("signing", "service");
        String qa = AccessTest.token("qa", "service");
        String maintainer = AccessTest.token("alice-" + repo, "maintainer");

        // nobody pushes anonymously, anywhere
        assertRefused(client(candidate, null, null), repo, "latest");
        assertRefused(client(production, null, null), repo, "latest");

        // registry-push: the candidate only
        TinyImage.push(client(candidate, "registry-push", registryPush), repo, "1.0");
        assertRefused(client(production, "registry-push", registryPush), repo, "1.0");
        // qa, a maintainer and release pull candidates but push nothing there
        assertTrue(client(candidate, "qa", qa).manifestExists(repo, "1.0"));
        assertTrue(client(candidate, "alice-" + repo, maintainer).manifestExists(repo, "1.0"));
        assertRefused(client(candidate, "qa", qa), repo, "qa-was-here");
        assertRefused(client(candidate, "alice-" + repo, maintainer), repo, "alice-was-here");
        assertRefused(client(candidate, "release", release), repo, "release-was-here");
        // an anonymous caller may not even pull a candidate
        assertThrows(RegistryException.class, () -> client(candidate, null, null).manifestExists(repo, "1.0"));

        // release: production; signing: both (its signature tags live beside the images)
        TinyImage.push(client(production, "release", release), repo, "1.0");
        TinyImage.push(client(production, "signing", signing), repo, "sha256-0.sig");
        TinyImage.push(client(candidate, "signing", signing), repo, "sha256-0.sig");
        assertRefused(client(production, "alice-" + repo, maintainer), repo, "alice-was-here");
        // production is public: anyone pulls it
        assertTrue(client(production, null, null).manifestExists(repo, "1.0"));

        // an admin pushes anywhere (the operator's base images)
        TinyImage.push(client(production, "admin", SubmissionResourceTest.ADMIN_TOKEN), "base/busybox-" + repo, "latest");
    }

    @Test
    void theTokenSaysWhatWasGrantedForHowLong() throws Exception {
        String registryPush = AccessTest.token("registry-push", "service");
        String body = given().header("Authorization", basic("registry-push", registryPush))
                .queryParam("service", "kiln-candidate").queryParam("scope", "repository:hello:pull,push,delete")
                .queryParam("scope", "registry:catalog:*")
                .get("/api/v1/registry/token").then().statusCode(200)
                .body("expires_in", equalTo(300)).body("issued_at", containsString("T"))
                .extract().path("access_token");
        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(body.split("\\.")[1]));
        assertEquals("kiln", claims.get("iss").asText());
        assertEquals("kiln-candidate", claims.get("aud").asText());
        assertEquals("registry-push", claims.get("sub").asText());
        assertEquals(300, claims.get("exp").asLong() - claims.get("iat").asLong());
        JsonNode hello = claims.get("access").get(0);
        assertEquals("hello", hello.get("name").asText());
        assertEquals("[\"pull\",\"push\"]", hello.get("actions").toString(), "no delete for a service");
        assertEquals(0, claims.get("access").get(1).get("actions").size(), "no catalog for a service");

        // docker login: no scope, the account named
        given().header("Authorization", basic("registry-push", registryPush)).queryParam("service", "kiln-production")
                .queryParam("account", "registry-push").queryParam("client_id", "docker").queryParam("offline_token", "true")
                .get("/api/v1/registry/token").then().statusCode(200).body("token.length()", greaterThan(100));
    }

    @Test
    void badCredentialsAndBadRequestsAreProblems() {
        String qa = AccessTest.token("qa", "service");
        given().header("Authorization", basic("qa", "kiln_not-a-token")).queryParam("service", "kiln-candidate")
                .get("/api/v1/registry/token").then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("not a token this hub knows"));
        given().header("Authorization", basic("release", qa)).queryParam("service", "kiln-candidate")
                .get("/api/v1/registry/token").then().statusCode(401).body("detail", containsString("the token is qa's"));
        given().header("Authorization", "Basic %%%").queryParam("service", "kiln-candidate")
                .get("/api/v1/registry/token").then().statusCode(401).body("detail", containsString("base64"));
        given().header("Authorization", "Bearer " + qa).queryParam("service", "kiln-candidate")
                .get("/api/v1/registry/token").then().statusCode(401).body("detail", containsString("HTTP Basic"));
        given().queryParam("service", "docker.io").get("/api/v1/registry/token").then().statusCode(400)
                .contentType("application/problem+json").body("detail", containsString("kiln-candidate or kiln-production"));
        given().queryParam("service", "kiln-production").queryParam("scope", "repository:hello")
                .get("/api/v1/registry/token").then().statusCode(400).body("detail", containsString("<type>:<name>:<action>"));
        given().queryParam("service", "kiln-production").queryParam("scope", "Repository:hello:PULL")
                .get("/api/v1/registry/token").then().statusCode(400).body("detail", containsString("lower-case"));
    }

    @Test
    void aServiceTokenBuildsNothing() {
        String signing = AccessTest.token("signing", "service");
        String digest = AccessTest.upload(signing, "FROM scratch\nLABEL name=svc version=1\n");
        AccessTest.submit(signing, digest, "").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("may not build"));
    }

    private static RegistryClient client(RegistryProcess registry, String user, String token) {
        return new RegistryClient(registry.hostPort(), URI.create(registry.url()), Optional.ofNullable(user),
                Optional.ofNullable(token));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A push of {@code repo:tag} fails, and the tag is not there afterwards (read as an admin). */
    private void assertRefused(RegistryClient client, String repo, String tag) {
        assertThrows(RegistryException.class, () -> TinyImage.push(client, repo, tag), "pushed " + repo + ":" + tag);
        RegistryProcess registry = client.registry().equals(candidate.hostPort()) ? candidate : production;
        assertFalse(client(registry, "admin", SubmissionResourceTest.ADMIN_TOKEN).manifestExists(repo, tag),
                repo + ":" + tag + " is not there");
    }
}
