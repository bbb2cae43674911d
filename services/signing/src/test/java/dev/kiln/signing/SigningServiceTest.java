package dev.kiln.signing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.EventType;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import dev.kiln.signing.domain.SignatureRecord;
import dev.kiln.signing.service.OpenPgp;
import dev.kiln.signing.store.SigningDatabase;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.verify.ImageVerifier;
import dev.kiln.support.verify.OpenPgpVerifier;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.KafkaTestClient;
import dev.kiln.testsupport.PostgresResource;
import dev.kiln.testsupport.TinyImage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(PostgresResource.class)
@QuarkusTestResource(SigningTestResource.class)
class SigningServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kiln.signing.key-file")
    String keyFile;
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

    @TestHTTPResource("/lookaside")
    URL lookaside;

    @Inject
    SigningDatabase database;

    KafkaTestClient kafka;
    RegistryClient candidate;
    RegistryClient production;
    PublicKey publicKey;

    @BeforeEach
    void setUp() throws Exception {
        kafka = new KafkaTestClient(EventType.IMAGE_SIGNED, EventType.BUILD_FAILED);
        candidate = RegistryClient.anonymous(candidateAddress, URI.create(candidateUrl));
        production = RegistryClient.anonymous(productionAddress, URI.create(productionUrl));
        String pem = Files.readString(Path.of(keyFile + ".pub")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    @AfterEach
    void tearDown() {
        kafka.close();
    }

    /** The service's active OpenPGP public key, as served over HTTP. */
    static String openPgpPublicKey() {
        String fingerprint = given().get("/api/v1/keys?format=openpgp").then().statusCode(200).extract().path("[0].keyId");
        return given().get("/api/v1/keys/" + fingerprint + ".asc").then().statusCode(200).extract().asString();
    }

    @Test
    void pushedImageIsSignedVerifiablyInBothFormatsAndOnlyOnce() throws Exception {
        String repo = "hello-" + shortId();
        String digest = TinyImage.push(candidate, repo, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        ImagePushed pushed = pushed(buildId, candidateAddress, repo, digest, List.of("1.0-1", "extra"));
        kafka.send(pushed);

        ImageSigned cosignEvent = awaitSigned(buildId, "cosign");
        ImageSigned simpleEvent = awaitSigned(buildId, "simple-signing");
        String hex = digest.substring("sha256:".length());
        assertEquals(candidateAddress + "/" + repo + ":1.0-1", cosignEvent.reference());
        assertEquals(candidateAddress, cosignEvent.registry());
        assertEquals(repo, cosignEvent.repository());
        assertEquals(digest, cosignEvent.digest());
        assertTrue(cosignEvent.keyId().matches("SHA256:[0-9a-f]{32}"), cosignEvent.keyId());
        assertEquals(candidateAddress + "/" + repo + ":sha256-" + hex + ".sig", cosignEvent.signatureLocation());
        assertEquals(candidateAddress + "/" + repo + ":1.0-1", simpleEvent.reference());
        assertTrue(simpleEvent.keyId().matches("[0-9A-F]{40}"), simpleEvent.keyId());
        assertEquals("http://localhost:8084/lookaside/" + repo + "@sha256=" + hex + "/signature-1", simpleEvent.signatureLocation());

        RegistryClient.Manifest sig = candidate.getManifest(repo, "sha256-" + hex + ".sig").orElseThrow();
        assertEquals(RegistryClient.OCI_MANIFEST, sig.mediaType());
        JsonNode manifest = JSON.readTree(sig.bytes());
        assertEquals(2, manifest.path("schemaVersion").asInt());
        assertEquals("application/vnd.oci.image.config.v1+json", manifest.path("config").path("mediaType").asText());
        JsonNode layers = manifest.path("layers");
        assertEquals(1, layers.size());
        JsonNode layer = layers.get(0);
        assertEquals("application/vnd.dev.cosign.simplesigning.v1+json", layer.path("mediaType").asText());
        byte[] payload = candidate.getBlob(repo, layer.path("digest").asText());
        assertEquals(payload.length, layer.path("size").asInt());
        String signature = layer.path("annotations").path("dev.cosignproject.cosign/signature").asText();

        assertTrue(verify(publicKey, payload, signature), "the signature verifies with the public key");
        assertFalse(verify(SigningTestResource.generateKeyPair().getPublic(), payload, signature),
                "the signature must not verify with another key");

        JsonNode p = JSON.readTree(payload);
        assertEquals(digest, p.at("/critical/image/docker-manifest-digest").asText());
        assertEquals(candidateAddress + "/" + repo + ":1.0-1", p.at("/critical/identity/docker-reference").asText());
        assertEquals("cosign container image signature", p.at("/critical/type").asText());
        assertEquals("kiln-signing", p.at("/optional/creator").asText());
        assertTrue(p.at("/optional/timestamp").isNumber());
        JsonNode config = JSON.readTree(candidate.getBlob(repo, manifest.at("/config/digest").asText()));
        assertEquals(layer.path("digest").asText(), config.at("/rootfs/diff_ids/0").asText());

        // the simple signature is served in the lookaside layout and verifies with the served OpenPGP key only
        byte[] simple = given().get("/lookaside/" + repo + "@sha256=" + hex + "/signature-1").then().statusCode(200)
                .contentType("application/octet-stream").extract().asByteArray();
        List<PGPPublicKeyRing> served = OpenPgp.publicRings(openPgpPublicKey().getBytes(StandardCharsets.US_ASCII));
        OpenPgpVerifier.Verification v = OpenPgpVerifier.verify(simple, served);
        assertTrue(v.valid(), v.problem().toString());
        JsonNode sp = JSON.readTree(v.payload().orElseThrow());
        assertEquals("atomic container signature", sp.at("/critical/type").asText());
        assertEquals(digest, sp.at("/critical/image/docker-manifest-digest").asText());
        assertEquals(candidateAddress + "/" + repo + ":1.0-1", sp.at("/critical/identity/docker-reference").asText());
        assertFalse(OpenPgpVerifier.verify(simple, List.of(TestKeys.openPgp(Files.createTempDirectory("k").resolve("o.asc"), "x")
                .publicRing())).valid(), "another OpenPGP key must not verify it");
        given().get("/lookaside/" + repo + "@sha256=" + hex + "/signature-2").then().statusCode(404)
                .contentType("application/problem+json");

        // recorded with key id and time, once per name and format
        List<SignatureRecord> recorded = database.forDigest(repo, digest);
        assertEquals(2, recorded.size(), recorded.toString());
        assertEquals(List.of("cosign", "simple-signing"), recorded.stream().map(SignatureRecord::format).toList());
        assertEquals(List.of(cosignEvent.keyId(), simpleEvent.keyId()), recorded.stream().map(SignatureRecord::keyId).toList());

        // the same event again: both are re-announced (at least once) but nothing is signed twice
        kafka.send(pushed);
        ImageSigned again = awaitSigned(buildId, "cosign");
        ImageSigned simpleAgain = awaitSigned(buildId, "simple-signing");
        assertEquals(cosignEvent.time(), again.time());
        assertEquals(simpleEvent.signatureLocation(), simpleAgain.signatureLocation());
        RegistryClient.Manifest sigAgain = candidate.getManifest(repo, "sha256-" + hex + ".sig").orElseThrow();
        assertEquals(sig.digest(), sigAgain.digest(), "the signature manifest is unchanged");
        assertEquals(2, database.forDigest(repo, digest).size());
        given().get("/lookaside/" + repo + "@sha256=" + hex + "/signature-2").then().statusCode(404);
    }

    @Test
    void digestThatDoesNotExistIsNeverSigned() {
        String repo = "ghost-" + shortId();
        TinyImage.push(candidate, repo, "1.0-1");
        String missing = "sha256:" + "ab".repeat(32);
        String buildId = UUID.randomUUID().toString();
        kafka.send(pushed(buildId, candidateAddress, repo, missing, List.of("1.0-1")));

        BuildFailed failed = kafka.await(BuildFailed.class, e -> e.buildId().equals(buildId), WAIT);
        assertEquals(Stage.SIGNING, failed.stage());
        assertEquals("digest-not-found", failed.reason());
        assertFalse(failed.transientFailure());
        assertFalse(candidate.manifestExists(repo, "sha256-" + "ab".repeat(32) + ".sig"));
        assertTrue(database.forDigest(repo, missing).isEmpty(), "nothing signed, nothing recorded");
        given().get("/lookaside/" + repo + "@sha256=" + "ab".repeat(32) + "/signature-1").then().statusCode(404);
    }

    @Test
    void untrustedRegistryIsRefused() {
        String buildId = UUID.randomUUID().toString();
        kafka.send(pushed(buildId, "evil.example.com:5000", "hello", "sha256:" + "cd".repeat(32), List.of("1.0-1")));
        BuildFailed failed = kafka.await(BuildFailed.class, e -> e.buildId().equals(buildId), WAIT);
        assertEquals(Stage.SIGNING, failed.stage());
        assertEquals("registry-not-trusted", failed.reason());
        assertTrue(database.forDigest("hello", "sha256:" + "cd".repeat(32)).isEmpty());
    }

    @Test
    void promotedImageCarriesItsOwnValidSignaturesUnderEveryTag() throws Exception {
        String repo = "promoted-" + shortId();
        String digest = TinyImage.push(candidate, repo, "2.0-3");
        String pushBuild = UUID.randomUUID().toString();
        kafka.send(pushed(pushBuild, candidateAddress, repo, digest, List.of("2.0-3")));
        awaitSigned(pushBuild, "simple-signing");
        // the promotion copies the manifest unchanged (same digest) to production
        RegistryClient.Manifest m = candidate.getManifest(repo, digest).orElseThrow();
        copyBlobs(m, repo);
        production.putManifest(repo, "2.0-3", m.bytes(), m.mediaType());

        String buildId = UUID.randomUUID().toString();
        kafka.send(new ImagePromoted(buildId, candidateAddress, repo, productionAddress, repo, digest, List.of("2.0-3"), Instant.now()));
        awaitSigned(buildId, "cosign");
        kafka.send(new ImagePromoted(buildId, candidateAddress, repo, productionAddress, repo, digest, List.of("2.0", "latest"), Instant.now()));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            names.add(awaitSigned(buildId, "cosign").reference());
        }
        assertEquals(List.of(productionAddress + "/" + repo + ":2.0", productionAddress + "/" + repo + ":latest"), names);

        String sigTag = "sha256-" + digest.substring(7) + ".sig";
        JsonNode layers = JSON.readTree(production.getManifest(repo, sigTag).orElseThrow().bytes()).path("layers");
        assertEquals(3, layers.size(), "two more layers for the two new tags");
        JsonNode config = JSON.readTree(production.getBlob(repo,
                JSON.readTree(production.getManifest(repo, sigTag).orElseThrow().bytes()).at("/config/digest").asText()));
        assertEquals(3, config.at("/rootfs/diff_ids").size());

        // the production name carries its own valid signatures, in both formats; the candidate's do not count there
        List<PGPPublicKeyRing> pgp = OpenPgp.publicRings(openPgpPublicKey().getBytes(StandardCharsets.US_ASCII));
        String base = lookaside.toString();
        ImageVerifier.Report report = new ImageVerifier().verify(production, repo, "2.0-3", List.of(publicKey), pgp, Optional.of(base));
        assertEquals(digest, report.digest());
        long validCosign = report.findings().stream().filter(f -> f.valid() && f.format().equals("cosign")).count();
        long validSimple = report.findings().stream().filter(f -> f.valid() && f.format().equals("simple-signing")).count();
        assertEquals(3, validCosign, report.describe());
        assertEquals(3, validSimple, report.describe());
        assertTrue(report.findings().stream().anyMatch(f -> !f.valid() && f.format().equals("simple-signing")
                && f.signedReference().orElseThrow().startsWith(candidateAddress)), report.describe());

        ImageVerifier.Report foreign = new ImageVerifier().verify(production, repo, "2.0-3",
                List.of(SigningTestResource.generateKeyPair().getPublic()), List.of(), Optional.of(base));
        assertFalse(foreign.anyValid(), foreign.describe());
    }

    @Test
    void promotionToAFurtherTargetRegistryIsSignedThere() throws Exception {
        String repo = "mirrored-" + shortId();
        String digest = TinyImage.push(candidate, repo, "3.0-1");
        RegistryClient mirror = RegistryClient.anonymous(mirrorAddress, URI.create(mirrorUrl));
        RegistryClient.Manifest m = candidate.getManifest(repo, digest).orElseThrow();
        copyBlobs(m, repo, mirror);
        mirror.putManifest(repo, "3.0-1", m.bytes(), m.mediaType());

        String buildId = UUID.randomUUID().toString();
        kafka.send(new ImagePromoted(buildId, candidateAddress, repo, mirrorAddress, repo, digest, List.of("3.0-1"),
                Instant.now()));
        ImageSigned signed = awaitSigned(buildId, "cosign");
        assertEquals(mirrorAddress + "/" + repo + ":3.0-1", signed.reference());
        ImageVerifier.Report report = new ImageVerifier().verify(mirror, repo, "3.0-1", List.of(publicKey), List.of(),
                Optional.empty());
        assertTrue(report.findings().stream().anyMatch(f -> f.valid() && f.format().equals("cosign")), report.describe());
        assertFalse(candidate.manifestExists(repo, "sha256-" + digest.substring(7) + ".sig"),
                "the promotion's signature goes to the target, not the candidate");
    }

    @Test
    void skopeoVerifiesTheSimpleSignatureWithSignedByAgainstTheLookasideServer() throws Exception {
        String repo = "skopeo-" + shortId();
        String digest = TinyImage.push(candidate, repo, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        kafka.send(pushed(buildId, candidateAddress, repo, digest, List.of("1.0-1")));
        awaitSigned(buildId, "simple-signing");

        Path dir = Files.createTempDirectory("kiln-skopeo-");
        Path rightKey = Files.writeString(dir.resolve("kiln.asc"), openPgpPublicKey());
        Path otherKey = Files.writeString(dir.resolve("other.asc"),
                TestKeys.openPgp(dir.resolve("other-secret.asc"), "x").armoredPublicKey());
        Path registriesD = Files.createDirectories(dir.resolve("registries.d"));
        Files.writeString(registriesD.resolve("kiln.yaml"), "docker:\n  " + candidateAddress + ":\n    lookaside: " + lookaside + "\n");

        Skopeo.Result ok = Skopeo.copy(dir, policy(dir, "right", rightKey), registriesD, candidateAddress + "/" + repo + "@" + digest);
        assertEquals(0, ok.exitCode(), ok.output());
        Skopeo.Result refused = Skopeo.copy(dir, policy(dir, "other", otherKey), registriesD, candidateAddress + "/" + repo + "@" + digest);
        assertFalse(refused.exitCode() == 0, "skopeo must refuse a signature by another key: " + refused.output());
        assertTrue(refused.output().toLowerCase().contains("signature"), refused.output());
    }

    private Path policy(Path dir, String name, Path key) throws Exception {
        return Files.writeString(dir.resolve("policy-" + name + ".json"), "{\"default\":[{\"type\":\"reject\"}],\"transports\":"
                + "{\"docker\":{\"" + candidateAddress + "\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + key
                + "\"}]}}}");
    }

    @Test
    void poisonMessageGoesToTheDeadLetterTopicAndTheServiceKeepsRunning() {
        String key = UUID.randomUUID().toString();
        try (KafkaTestClient dlq = new KafkaTestClient("kiln.image.pushed.dlq")) {
            kafka.sendRaw("kiln.image.pushed", key, "{\"not\":\"an event\"}");
            dlq.awaitRecord("kiln.image.pushed.dlq", key, WAIT);
        }
        String repo = "after-poison-" + shortId();
        String digest = TinyImage.push(candidate, repo, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        kafka.send(pushed(buildId, candidateAddress, repo, digest, List.of("1.0-1")));
        awaitSigned(buildId, "cosign");
    }

    @Test
    void publicKeysAreServedInBothFormats() throws Exception {
        given().get("/api/v1/keys").then().statusCode(200).body("size()", equalTo(2))
                .body("[0].format", equalTo("cosign")).body("[1].format", equalTo("openpgp"));
        String keyId = given().get("/api/v1/keys?format=cosign").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].algorithm", equalTo("ECDSA-P256-SHA256"))
                .body("[0].active", equalTo(true))
                .body("[0].publicKeyPem", startsWith("-----BEGIN PUBLIC KEY-----"))
                .extract().path("[0].keyId");
        byte[] spki = publicKey.getEncoded();
        String expected = "SHA256:" + java.util.HexFormat.of().formatHex(
                java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(spki), 16));
        assertEquals(expected, keyId);
        String pem = given().get("/api/v1/keys/" + keyId + ".pem").then().statusCode(200).extract().asString();
        assertEquals(Base64.getEncoder().encodeToString(spki), pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        given().get("/api/v1/keys/SHA256:0000.pem").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));

        String armored = given().get("/api/v1/keys?format=openpgp").then().statusCode(200)
                .body("size()", equalTo(1)).body("[0].active", equalTo(true))
                .body("[0].armoredPublicKey", startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"))
                .extract().path("[0].armoredPublicKey");
        assertArrayEquals(armored.getBytes(StandardCharsets.US_ASCII), openPgpPublicKey().getBytes(StandardCharsets.US_ASCII));
        given().get("/api/v1/keys?format=x509").then().statusCode(400).contentType("application/problem+json");
    }

    private ImageSigned awaitSigned(String buildId, String format) {
        return kafka.await(ImageSigned.class, e -> e.buildId().equals(buildId) && e.format().equals(format), WAIT);
    }

    private void copyBlobs(RegistryClient.Manifest m, String repo) throws Exception {
        copyBlobs(m, repo, production);
    }

    private void copyBlobs(RegistryClient.Manifest m, String repo, RegistryClient target) throws Exception {
        JsonNode json = JSON.readTree(m.bytes());
        List<String> blobs = new ArrayList<>();
        blobs.add(json.at("/config/digest").asText());
        json.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        for (String blob : blobs) {
            target.putBlob(repo, blob, candidate.getBlob(repo, blob));
        }
    }

    private ImagePushed pushed(String buildId, String registry, String repo, String digest, List<String> tags) {
        return new ImagePushed(buildId, repo, false, new Nvr(repo, "1.0", "1"), registry, repo, tags, digest,
                RegistryClient.DOCKER_MANIFEST, 1024, Instant.now());
    }

    private static boolean verify(PublicKey key, byte[] payload, String base64Signature) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initVerify(key);
        s.update(payload);
        return s.verify(Base64.getDecoder().decode(base64Signature));
    }

    private static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }
}
