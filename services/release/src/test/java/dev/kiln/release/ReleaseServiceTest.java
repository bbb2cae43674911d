package dev.kiln.release;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.events.QaOutcome;
import dev.kiln.events.QaResult;
import dev.kiln.events.Stage;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.PostgresResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(ReleaseTestResource.class)
class ReleaseServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String KEY_ID = "SHA256:0123456789abcdef0123456789abcdef";

    @ConfigProperty(name = "kiln.registry.candidate.address")
    String candidateAddress;
    @ConfigProperty(name = "kiln.registry.candidate.url")
    String candidateUrl;
    @ConfigProperty(name = "kiln.registry.production.address")
    String productionAddress;
    @ConfigProperty(name = "kiln.registry.production.url")
    String productionUrl;

    Topics topics;
    RegistryClient candidate;
    RegistryClient production;

    @BeforeEach
    void setUp() {
        topics = new Topics();
        candidate = RegistryClient.anonymous(candidateAddress, URI.create(candidateUrl));
        production = RegistryClient.anonymous(productionAddress, URI.create(productionUrl));
    }

    @Test
    void satisfiedSubjectIsPromotedOnceWithItsDigest() {
        String name = "app-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        TestImages.attachSignature(candidate, name, digest, candidateAddress + "/" + name + ":1.0-1");
        TestImages.attachSbom(candidate, name, digest);
        String buildId = UUID.randomUUID().toString();
        ImagePushed pushed = pushed(buildId, name, digest, false);
        ImageSigned signed = signed(buildId, candidateAddress + "/" + name + ":1.0-1", digest);
        QaResult qa = qa(buildId, name, digest, QaOutcome.PASSED);

        // the signature comes before the push, the QA result last
        topics.send(signed);
        topics.send(pushed);
        // the two consumers run side by side: the push may be handled before the signature, so wait for the state
        // in which both are known
        awaitDecision(buildId, "test-case:kiln.image.starts missing");
        GatingDecision first = awaitLast(buildId, d -> d.satisfiedRequirements().contains("signature:cosign present"));
        assertFalse(first.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts missing"), first.unsatisfiedRequirements());
        assertEquals(List.of("signature:cosign present"), first.satisfiedRequirements());
        assertEquals(candidateAddress + "/" + name, first.subjectRepository());
        assertEquals(digest, first.subjectDigest());
        assertEquals("default", first.policyId());

        topics.send(qa);
        ImagePromoted promoted = topics.await(ImagePromoted.class, buildId, 1, WAIT).get(0);
        GatingDecision open = awaitLast(buildId, GatingDecision::satisfied);
        assertEquals(List.of("test-case:kiln.image.starts passed", "signature:cosign present"), open.satisfiedRequirements());

        assertEquals(candidateAddress, promoted.fromRegistry());
        assertEquals(name, promoted.fromRepository());
        assertEquals(productionAddress, promoted.toRegistry());
        assertEquals(name, promoted.toRepository());
        assertEquals(digest, promoted.digest());
        assertEquals(List.of("1.0-1", "1.0", "latest"), promoted.tags());

        byte[] candidateBytes = candidate.getManifest(name, digest).orElseThrow().bytes();
        for (String tag : List.of("1.0-1", "1.0", "latest")) {
            RegistryClient.Manifest m = production.getManifest(name, tag).orElseThrow();
            assertArrayEquals(candidateBytes, m.bytes(), "production " + tag + " has the candidate's manifest bytes");
            assertEquals(digest, m.digest());
        }
        assertTrue(production.tags(name).containsAll(List.of("1.0-1", "1.0", "latest")));
        // the candidate's signatures and SBOM came along (before image.promoted was sent)
        String sig = digest.replace(':', '-') + ".sig";
        assertArrayEquals(candidate.getManifest(name, sig).orElseThrow().bytes(), production.getManifest(name, sig).orElseThrow().bytes());
        assertTrue(production.manifestExists(name, digest.replace(':', '-') + ".sbom"));

        given().get("/api/v1/decisions/" + buildId).then().statusCode(200)
                .body("satisfied", equalTo(true)).body("subjectDigest", equalTo(digest)).body("policyId", equalTo("default"));

        // everything again, in another order: nothing new is sent
        int decisionsBefore = topics.read(GatingDecision.class, buildId).size();
        topics.send(qa);
        topics.send(pushed);
        topics.send(signed);
        awaitQuiet();
        assertEquals(1, topics.read(ImagePromoted.class, buildId).size());
        assertEquals(decisionsBefore, topics.read(GatingDecision.class, buildId).size());
    }

    @Test
    void failedQaIsNeverPromotedAndItsDecisionTurnsFinalWhenTheWaiverWindowEnds() {
        String name = "failing-" + shortId();
        String digest = TestImages.push(candidate, name, "2.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(qa(buildId, name, digest, QaOutcome.FAILED));
        topics.send(signed(buildId, candidateAddress + "/" + name + ":2.0-1", digest));
        topics.send(pushed(buildId, name, digest, false));
        awaitDecision(buildId, "test-case:kiln.image.starts failed");
        GatingDecision last = awaitLast(buildId, GatingDecision::finalized);
        assertFalse(last.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts failed"), last.unsatisfiedRequirements());
        List<GatingDecision> all = topics.read(GatingDecision.class, buildId);
        assertFalse(all.get(0).finalized(), "a failed result is evidence; the decision is final only after the waiver window");
        assertEquals(1, all.stream().filter(GatingDecision::finalized).count(), "the final decision is sent once");
        given().get("/api/v1/decisions/" + buildId).then().statusCode(200).body("final", equalTo(true));

        // too late for a waiver: the decision stays final
        given().header("Authorization", "Bearer " + ReleaseTestResource.engineerToken).contentType("application/json")
                .body("{\"buildId\":\"" + buildId + "\",\"testCase\":\"kiln.image.starts\",\"comment\":\"flaky\"}")
                .post("/api/v1/waivers").then().statusCode(409).contentType("application/problem+json")
                .body("title", equalTo("Decision final")).body("detail", containsString("submit a new build"))
                .body("unsatisfiedRequirements", equalTo(List.of("test-case:kiln.image.starts failed")));
        // nor does a late passing result change it
        topics.send(qa(buildId, name, digest, QaOutcome.PASSED));
        awaitQuiet();
        assertEquals(all.size(), topics.read(GatingDecision.class, buildId).size());
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
        assertFalse(production.manifestExists(name, digest));
    }

    @Test
    void missingQaIsNeverPromoted() {
        String name = "untested-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, name, digest, false));
        topics.send(signed(buildId, candidateAddress + "/" + name + ":1.0-1", digest));
        // a result for another digest and a result still running do not count as passed
        topics.send(qa(buildId, name, "sha256:" + "d".repeat(64), QaOutcome.PASSED));
        awaitDecision(buildId, "test-case:kiln.image.starts missing");
        topics.send(qa(buildId, name, digest, QaOutcome.RUNNING));
        awaitQuiet();
        GatingDecision last = lastOf(topics.read(GatingDecision.class, buildId));
        assertFalse(last.satisfied());
        assertEquals(List.of("test-case:kiln.image.starts missing"), last.unsatisfiedRequirements());
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
        assertFalse(production.manifestExists(name, digest));
    }

    @Test
    void unsignedSubjectIsNeverPromoted() {
        String name = "unsigned-" + shortId();
        String digest = TestImages.push(candidate, name, "3.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, name, digest, false));
        topics.send(qa(buildId, name, digest, QaOutcome.PASSED));
        // a signature of another name (the production one) or of another digest does not count
        topics.send(signed(buildId, productionAddress + "/" + name + ":3.0-1", digest));
        topics.send(signed(buildId, candidateAddress + "/" + name + ":3.0-1", "sha256:" + "e".repeat(64)));
        awaitDecision(buildId, "signature:cosign missing");
        awaitQuiet();
        GatingDecision last = lastOf(topics.read(GatingDecision.class, buildId));
        assertFalse(last.satisfied());
        assertEquals(List.of("signature:cosign missing"), last.unsatisfiedRequirements());
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
        assertFalse(production.manifestExists(name, digest));
    }

    @Test
    void scratchBuildIsGatedWithoutASignatureButNeverPromoted() {
        String name = "scratchy-" + shortId();
        String buildId = UUID.randomUUID().toString();
        String digest = TestImages.push(candidate, name, "scratch-" + buildId);
        topics.send(pushed(buildId, name, digest, true));
        topics.send(qa(buildId, name, digest, QaOutcome.PASSED));
        GatingDecision open = awaitLast(buildId, GatingDecision::satisfied);
        assertEquals(List.of("test-case:kiln.image.starts passed"), open.satisfiedRequirements(),
                "a scratch build is never signed for production, so its gate asks for no signature");
        topics.send(signed(buildId, candidateAddress + "/" + name + ":scratch-" + buildId, digest));
        awaitQuiet();
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
        assertFalse(production.manifestExists(name, digest));
        given().get("/api/v1/decisions/" + buildId).then().statusCode(200).body("satisfied", equalTo(true));
    }

    @Test
    void aProductionRegistryThatAnswers503ForAWhileDelaysThePromotionButDoesNotFailIt() {
        String name = "outage-" + shortId();
        String digest = TestImages.push(candidate, name, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        int before = ReleaseTestResource.productionProxy.injected();
        // a registry answering 503 for 30 s while the build promotes
        ReleaseTestResource.productionProxy.outageFor(Duration.ofSeconds(30));
        topics.send(pushed(buildId, name, digest, false));
        topics.send(signed(buildId, candidateAddress + "/" + name + ":1.0-1", digest));
        topics.send(qa(buildId, name, digest, QaOutcome.PASSED));
        ImagePromoted promoted = topics.await(ImagePromoted.class, buildId, 1, WAIT).get(0);
        assertTrue(ReleaseTestResource.productionProxy.injected() > before, "the registry did answer 503");
        assertEquals(digest, promoted.digest());
        assertEquals(digest, production.getManifest(name, "1.0-1").orElseThrow().digest());
        assertTrue(topics.read(BuildFailed.class, buildId).isEmpty(), "an outage is waited out, it fails no build");
        awaitQuiet();
        assertEquals(1, topics.read(ImagePromoted.class, buildId).size());
    }

    @Test
    void copyErrorsEndInPromotionFailed() {
        String name = "vanished-" + shortId();
        String buildId = UUID.randomUUID().toString();
        String digest = "sha256:" + HexFormat.of().formatHex(UUID.randomUUID().toString().repeat(2).getBytes(), 0, 32);
        topics.send(pushed(buildId, name, digest, false));
        topics.send(qa(buildId, name, digest, QaOutcome.PASSED));
        topics.send(signed(buildId, candidateAddress + "/" + name + ":1.0-1", digest));
        BuildFailed failed = topics.await(BuildFailed.class, buildId, 1, WAIT).get(0);
        assertEquals(Stage.RELEASE, failed.stage());
        assertEquals("promotion-failed", failed.reason());
        assertFalse(failed.transientFailure(), "the candidate has no such manifest: trying again cannot help");
        assertTrue(failed.message().contains(digest), failed.message());
        assertTrue(topics.read(ImagePromoted.class, buildId).isEmpty());
    }

    @Test
    void unknownDecisionIsAProblem() {
        given().get("/api/v1/decisions/nope").then().statusCode(404).contentType("application/problem+json")
                .body("title", equalTo("Unknown decision"));
    }

    private void awaitDecision(String buildId, String unsatisfied) {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            List<GatingDecision> all = topics.read(GatingDecision.class, buildId);
            if (!all.isEmpty() && lastOf(all).unsatisfiedRequirements().contains(unsatisfied)) {
                return;
            }
            Topics.sleep(250);
        }
        throw new AssertionError("no decision with " + unsatisfied + " for " + buildId + ": " + topics.read(GatingDecision.class, buildId));
    }

    private GatingDecision awaitLast(String buildId, java.util.function.Predicate<GatingDecision> p) {
        Instant deadline = Instant.now().plus(WAIT);
        while (Instant.now().isBefore(deadline)) {
            List<GatingDecision> all = topics.read(GatingDecision.class, buildId);
            if (!all.isEmpty() && p.test(lastOf(all))) {
                return lastOf(all);
            }
            Topics.sleep(250);
        }
        throw new AssertionError("no matching decision for " + buildId + ": " + topics.read(GatingDecision.class, buildId));
    }

    /** Every input event handled and committed, then a few more seconds for anything late. */
    private void awaitQuiet() {
        topics.awaitConsumed("kiln-release", WAIT, "kiln.image.pushed", "kiln.qa.result", "kiln.image.signed");
        Topics.sleep(2000);
    }

    private static <T> T lastOf(List<T> list) {
        return list.get(list.size() - 1);
    }

    private ImagePushed pushed(String buildId, String name, String digest, boolean scratch) {
        return new ImagePushed(buildId, name, scratch, new Nvr(name, tagVersion(name), scratch ? null : "1"), candidateAddress,
                name, List.of(scratch ? "scratch-" + buildId : tagVersion(name) + "-1"), digest, RegistryClient.DOCKER_MANIFEST,
                1024, Instant.now());
    }

    private static String tagVersion(String name) {
        return name.startsWith("failing") ? "2.0" : name.startsWith("unsigned") ? "3.0" : "1.0";
    }

    private ImageSigned signed(String buildId, String reference, String digest) {
        String repo = reference.substring(reference.indexOf('/') + 1, reference.lastIndexOf(':'));
        String registry = reference.substring(0, reference.indexOf('/'));
        return new ImageSigned(buildId, registry, repo, reference, digest, "cosign", KEY_ID,
                registry + "/" + repo + ":" + digest.replace(':', '-') + ".sig", Instant.now());
    }

    private QaResult qa(String buildId, String name, String digest, QaOutcome outcome) {
        return new QaResult(buildId, candidateAddress + "/" + name, digest, "kiln.image.starts", outcome, "test", "kiln-qa",
                null, Instant.now());
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

}
