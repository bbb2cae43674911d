package dev.kiln.release;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policies from the policy directory, decisions by digest, waivers and manual promotions by release engineers. */
@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(ReleaseTestResource.class)
class ManualPromotionTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @ConfigProperty(name = "kiln.registry.candidate.address")
    String candidateAddress;
    @ConfigProperty(name = "kiln.registry.candidate.url")
    String candidateUrl;
    @ConfigProperty(name = "kiln.registry.production.address")
    String productionAddress;
    @ConfigProperty(name = "kiln.registry.production.url")
    String productionUrl;
    @ConfigProperty(name = "kiln.registry.targets.mirror.address")
    String mirrorAddress;
    @ConfigProperty(name = "kiln.registry.targets.mirror.url")
    String mirrorUrl;

    Topics topics;
    RegistryClient candidate;
    RegistryClient production;
    RegistryClient mirror;

    @BeforeEach
    void setUp() {
        topics = new Topics();
        candidate = RegistryClient.anonymous(candidateAddress, URI.create(candidateUrl));
        production = RegistryClient.anonymous(productionAddress, URI.create(productionUrl));
        mirror = RegistryClient.anonymous(mirrorAddress, URI.create(mirrorUrl));
    }

    @Test
    void aComponentPolicyGatesItsBuildsAndAWaiverByAReleaseEngineerOpensTheGate() {
        String name = "strict-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, "strict", name, digest));
        topics.send(qa(buildId, name, digest, "kiln.image.starts", QaOutcome.PASSED));
        topics.send(signed(buildId, name, digest));
        GatingDecision closed = awaitDecision(buildId, d -> d.unsatisfiedRequirements().equals(List.of("test-case:example.smoke missing")));
        assertEquals("strict", closed.policyId());
        assertFalse(closed.satisfied());

        // the decision can be read by digest too
        given().get("/api/v1/decisions?digest=" + digest).then().statusCode(200)
                .body("[0].buildId", equalTo(buildId)).body("[0].policyId", equalTo("strict"))
                .body("[0].unsatisfiedRequirements", hasItem("test-case:example.smoke missing"));
        given().get("/api/v1/decisions?digest=sha256:" + "0".repeat(64)).then().statusCode(404).contentType("application/problem+json");
        given().get("/api/v1/decisions?digest=latest").then().statusCode(400).contentType("application/problem+json");

        // a manual promotion is still gated
        engineer().body("{\"buildId\":\"" + buildId + "\"}").post("/api/v1/promotions").then().statusCode(409)
                .contentType("application/problem+json").body("title", equalTo("Gate closed"))
                .body("unsatisfiedRequirements", hasItem("test-case:example.smoke missing"));
        assertFalse(production.manifestExists(name, digest));

        String waiver = "{\"buildId\":\"" + buildId + "\",\"testCase\":\"example.smoke\",\"comment\":\"smoke test host is down\"}";
        given().contentType(ContentType.JSON).body(waiver).post("/api/v1/waivers").then().statusCode(401)
                .contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body(waiver).post("/api/v1/waivers")
                .then().statusCode(401).contentType("application/problem+json")
                .body("detail", containsString("not known to the hub"));
        // the token is checked before the body is read: a body that is not JSON still gets 401, not 400
        given().header("Authorization", "Bearer wrong").contentType(ContentType.JSON).body("{not json")
                .post("/api/v1/waivers").then().statusCode(401);
        given().header("Authorization", "Bearer " + ReleaseTestResource.maintainerToken).contentType(ContentType.JSON)
                .body(waiver).post("/api/v1/waivers").then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("max has role maintainer"));
        given().header("Authorization", "Bearer " + ReleaseTestResource.maintainerToken).contentType(ContentType.JSON)
                .body("{not json").post("/api/v1/waivers").then().statusCode(403);
        engineer().body(waiver).post("/api/v1/waivers").then().statusCode(201)
                .body("waivedBy", equalTo("rita")).body("testCase", equalTo("example.smoke"));

        GatingDecision open = awaitDecision(buildId, GatingDecision::satisfied);
        assertEquals(List.of("test-case:kiln.image.starts passed", "test-case:example.smoke waived", "signature:cosign present"),
                open.satisfiedRequirements());
        ImagePromoted promoted = topics.await(ImagePromoted.class, buildId, 1, WAIT).get(0);
        assertEquals(productionAddress, promoted.toRegistry());
        assertEquals(digest, production.getManifest(name, "latest").orElseThrow().digest());

        // promoting by hand now changes nothing and sends nothing
        engineer().body("{\"buildId\":\"" + buildId + "\"}").post("/api/v1/promotions").then().statusCode(200)
                .body("created", equalTo(false)).body("digest", equalTo(digest)).body("toRegistry", equalTo(productionAddress));
        Topics.sleep(1000);
        assertEquals(1, topics.read(ImagePromoted.class, buildId).size());
    }

    @Test
    void aReleaseEngineerPromotesToAnotherRegistryOnceWithSignatures() {
        String name = "manual-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        TestImages.attachSignature(candidate, name, digest, candidateAddress + "/" + name + ":1.0-1");
        TestImages.attachSbom(candidate, name, digest);
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, name, name, digest));
        topics.send(qa(buildId, name, digest, "kiln.image.starts", QaOutcome.PASSED));
        topics.send(signed(buildId, name, digest));
        topics.await(ImagePromoted.class, buildId, 1, WAIT);

        String body = "{\"buildId\":\"" + buildId + "\",\"to\":\"" + mirrorAddress + "\"}";
        given().contentType(ContentType.JSON).body(body).post("/api/v1/promotions").then().statusCode(401)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + ReleaseTestResource.maintainerToken).contentType(ContentType.JSON)
                .body(body).post("/api/v1/promotions").then().statusCode(403).contentType("application/problem+json");
        engineer().body("{\"buildId\":\"" + buildId + "\",\"to\":\"elsewhere:5000\"}").post("/api/v1/promotions").then()
                .statusCode(400).contentType("application/problem+json").body("detail", containsString(mirrorAddress));
        engineer().body("{\"buildId\":\"nope\"}").post("/api/v1/promotions").then().statusCode(404)
                .contentType("application/problem+json");

        engineer().body(body).post("/api/v1/promotions").then().statusCode(201)
                .body("created", equalTo(true)).body("toRegistry", equalTo(mirrorAddress)).body("toRepository", equalTo(name))
                .body("digest", equalTo(digest)).body("promotedBy", equalTo("rita"))
                .body("tags", equalTo(List.of("1.0-1", "1.0", "latest")));
        List<ImagePromoted> promotions = topics.await(ImagePromoted.class, buildId, 2, WAIT);
        assertTrue(promotions.stream().anyMatch(p -> p.toRegistry().equals(mirrorAddress) && p.digest().equals(digest)));
        assertEquals(digest, mirror.getManifest(name, "1.0").orElseThrow().digest());
        String sig = digest.replace(':', '-') + ".sig";
        assertArrayEquals(candidate.getManifest(name, sig).orElseThrow().bytes(), mirror.getManifest(name, sig).orElseThrow().bytes());
        assertArrayEquals(candidate.getManifest(name, sig).orElseThrow().bytes(), production.getManifest(name, sig).orElseThrow().bytes(),
                "the automatic promotion carried the signatures too");
        assertTrue(production.manifestExists(name, digest.replace(':', '-') + ".sbom"));

        engineer().body(body).post("/api/v1/promotions").then().statusCode(200).body("created", equalTo(false));
        Topics.sleep(1000);
        assertEquals(2, topics.read(ImagePromoted.class, buildId).size(), "a repeated manual promotion sends nothing");
    }

    @Test
    void aFailedTestCaseWaivedWithinTheWaiverWindowOpensTheGate() {
        String name = "waived-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, name, name, digest));
        topics.send(signed(buildId, name, digest));
        topics.send(qa(buildId, name, digest, "kiln.image.starts", QaOutcome.FAILED));
        GatingDecision closed = awaitDecision(buildId, d -> d.unsatisfiedRequirements().equals(List.of("test-case:kiln.image.starts failed")));
        assertFalse(closed.finalized());
        engineer().body("{\"buildId\":\"" + buildId + "\",\"testCase\":\"kiln.image.starts\",\"comment\":\"known flake, KILN-12\"}")
                .post("/api/v1/waivers").then().statusCode(201);
        GatingDecision open = awaitDecision(buildId, GatingDecision::satisfied);
        assertEquals(List.of("test-case:kiln.image.starts waived", "signature:cosign present"), open.satisfiedRequirements());
        topics.await(ImagePromoted.class, buildId, 1, WAIT);
        Topics.sleep(ReleaseTestResource.WAIVER_WINDOW.toMillis() + 1000);
        assertTrue(topics.read(GatingDecision.class, buildId).stream().noneMatch(GatingDecision::finalized),
                "a satisfied gate is never made final");
    }

    @Test
    void anUnusablePolicyClosesTheGate() {
        String name = "broken-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, "broken", name, digest));
        topics.send(qa(buildId, name, digest, "kiln.image.starts", QaOutcome.PASSED));
        topics.send(signed(buildId, name, digest));
        GatingDecision d = awaitDecision(buildId, x -> !x.unsatisfiedRequirements().isEmpty()
                && x.unsatisfiedRequirements().get(0).startsWith("policy:broken evaluation-error"));
        assertFalse(d.satisfied());
        topics.awaitConsumed("kiln-release", WAIT, "kiln.image.pushed", "kiln.qa.result", "kiln.image.signed");
        Topics.sleep(1000);
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
        assertFalse(production.manifestExists(name, digest));
    }

    private RequestSpecification engineer() {
        return given().header("Authorization", "Bearer " + ReleaseTestResource.engineerToken).contentType(ContentType.JSON);
    }

    private GatingDecision awaitDecision(String buildId, java.util.function.Predicate<GatingDecision> p) {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            List<GatingDecision> all = topics.read(GatingDecision.class, buildId);
            if (!all.isEmpty() && p.test(all.get(all.size() - 1))) {
                return all.get(all.size() - 1);
            }
            Topics.sleep(250);
        }
        throw new AssertionError("no matching decision for " + buildId + ": " + topics.read(GatingDecision.class, buildId));
    }

    private ImagePushed pushed(String buildId, String component, String name, String digest) {
        return new ImagePushed(buildId, component, false, new Nvr(name, "1.0", "1"), candidateAddress, name, List.of("1.0-1"),
                digest, RegistryClient.DOCKER_MANIFEST, 1024, Instant.now());
    }

    private ImageSigned signed(String buildId, String name, String digest) {
        return new ImageSigned(buildId, candidateAddress, name, candidateAddress + "/" + name + ":1.0-1", digest, "cosign",
                "SHA256:0123", candidateAddress + "/" + name + ":" + digest.replace(':', '-') + ".sig", Instant.now());
    }

    private QaResult qa(String buildId, String name, String digest, String testCase, QaOutcome outcome) {
        return new QaResult(buildId, candidateAddress + "/" + name, digest, testCase, outcome, "test", "kiln-qa", null,
                Instant.now());
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
