package dev.kiln.signing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.Nvr;
import dev.kiln.events.Stage;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.KafkaResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(KafkaResource.class)
@QuarkusTestResource(SigningTestResource.class)
class SigningServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;
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

    Topics topics;
    RegistryClient candidate;
    RegistryClient production;
    PublicKey publicKey;

    @BeforeEach
    void setUp() throws Exception {
        topics = new Topics(bootstrap);
        candidate = RegistryClient.anonymous(candidateAddress, URI.create(candidateUrl));
        production = RegistryClient.anonymous(productionAddress, URI.create(productionUrl));
        String pem = Files.readString(Path.of(keyFile + ".pub")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        publicKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
    }

    @Test
    void pushedImageIsSignedVerifiablyAndOnlyOnce() throws Exception {
        String repo = "hello-" + shortId();
        String digest = TestImages.push(candidate, repo, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        ImagePushed pushed = pushed(buildId, candidateAddress, repo, digest, List.of("1.0-1", "extra"));
        topics.send(pushed);

        ImageSigned signed = topics.await(ImageSigned.class, buildId, 1, WAIT).get(0);
        String hex = digest.substring("sha256:".length());
        assertEquals(candidateAddress + "/" + repo + ":1.0-1", signed.reference());
        assertEquals(candidateAddress, signed.registry());
        assertEquals(repo, signed.repository());
        assertEquals(digest, signed.digest());
        assertEquals("cosign", signed.format());
        assertTrue(signed.keyId().matches("SHA256:[0-9a-f]{32}"), signed.keyId());
        assertEquals(candidateAddress + "/" + repo + ":sha256-" + hex + ".sig", signed.signatureLocation());

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

        // the same event again: it is re-announced (at least once) but adds no layer
        topics.send(pushed);
        topics.await(ImageSigned.class, buildId, 2, WAIT);
        RegistryClient.Manifest again = candidate.getManifest(repo, "sha256-" + hex + ".sig").orElseThrow();
        assertEquals(1, JSON.readTree(again.bytes()).path("layers").size());
        assertEquals(sig.digest(), again.digest(), "the signature manifest is unchanged");
    }

    @Test
    void digestThatDoesNotExistIsNeverSigned() {
        String repo = "ghost-" + shortId();
        TestImages.push(candidate, repo, "1.0-1");
        String missing = "sha256:" + "ab".repeat(32);
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, candidateAddress, repo, missing, List.of("1.0-1")));

        BuildFailed failed = topics.await(BuildFailed.class, buildId, 1, WAIT).get(0);
        assertEquals(Stage.SIGNING, failed.stage());
        assertEquals("digest-not-found", failed.reason());
        assertFalse(failed.transientFailure());
        assertFalse(candidate.manifestExists(repo, "sha256-" + "ab".repeat(32) + ".sig"));
        assertTrue(topics.read(ImageSigned.class, buildId).isEmpty());
    }

    @Test
    void untrustedRegistryIsRefused() {
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, "evil.example.com:5000", "hello", "sha256:" + "cd".repeat(32), List.of("1.0-1")));
        BuildFailed failed = topics.await(BuildFailed.class, buildId, 1, WAIT).get(0);
        assertEquals(Stage.SIGNING, failed.stage());
        assertEquals("registry-not-trusted", failed.reason());
        assertTrue(topics.read(ImageSigned.class, buildId).isEmpty());
    }

    @Test
    void promotedImageIsSignedUnderEveryTag() throws Exception {
        String repo = "promoted-" + shortId();
        String digest = TestImages.push(production, repo, "2.0-3");
        String buildId = UUID.randomUUID().toString();
        // one earlier signature in the production .sig (as after a first promotion), then a promotion with two tags
        topics.send(new ImagePromoted(buildId, candidateAddress, repo, productionAddress, repo, digest, List.of("2.0-3"), Instant.now()));
        topics.await(ImageSigned.class, buildId, 1, WAIT);
        topics.send(new ImagePromoted(buildId, candidateAddress, repo, productionAddress, repo, digest, List.of("2.0", "latest"), Instant.now()));

        List<ImageSigned> signed = topics.await(ImageSigned.class, buildId, 3, WAIT);
        assertEquals(List.of(productionAddress + "/" + repo + ":2.0-3", productionAddress + "/" + repo + ":2.0",
                productionAddress + "/" + repo + ":latest"), signed.stream().map(ImageSigned::reference).toList());
        String sigTag = "sha256-" + digest.substring(7) + ".sig";
        JsonNode layers = JSON.readTree(production.getManifest(repo, sigTag).orElseThrow().bytes()).path("layers");
        assertEquals(3, layers.size(), "two more layers for the two new tags");
        for (JsonNode layer : layers) {
            byte[] payload = production.getBlob(repo, layer.path("digest").asText());
            assertTrue(verify(publicKey, payload, layer.at("/annotations/dev.cosignproject.cosign~1signature").asText()));
            assertEquals(digest, JSON.readTree(payload).at("/critical/image/docker-manifest-digest").asText());
        }
        JsonNode config = JSON.readTree(production.getBlob(repo,
                JSON.readTree(production.getManifest(repo, sigTag).orElseThrow().bytes()).at("/config/digest").asText()));
        assertEquals(3, config.at("/rootfs/diff_ids").size());
    }

    @Test
    void poisonMessageGoesToTheDeadLetterTopicAndTheServiceKeepsRunning() {
        String key = UUID.randomUUID().toString();
        topics.sendRaw("kiln.image.pushed", key, "{\"not\":\"an event\"}", "dev.kiln.image.pushed.v1");
        Instant deadline = Instant.now().plus(WAIT);
        while (topics.readRaw("kiln.image.pushed.dlq", key).isEmpty() && Instant.now().isBefore(deadline)) {
            Topics.sleep(250);
        }
        assertEquals(1, topics.readRaw("kiln.image.pushed.dlq", key).size());

        String repo = "after-poison-" + shortId();
        String digest = TestImages.push(candidate, repo, "1.0-1");
        String buildId = UUID.randomUUID().toString();
        topics.send(pushed(buildId, candidateAddress, repo, digest, List.of("1.0-1")));
        topics.await(ImageSigned.class, buildId, 1, WAIT);
    }

    @Test
    void publicKeysAreServed() throws Exception {
        String keyId = given().get("/api/v1/keys").then().statusCode(200)
                .body("size()", equalTo(1))
                .body("[0].algorithm", equalTo("ECDSA-P256-SHA256"))
                .body("[0].publicKeyPem", startsWith("-----BEGIN PUBLIC KEY-----"))
                .extract().path("[0].keyId");
        byte[] spki = publicKey.getEncoded();
        String expected = "SHA256:" + java.util.HexFormat.of().formatHex(
                java.util.Arrays.copyOf(java.security.MessageDigest.getInstance("SHA-256").digest(spki), 16));
        assertEquals(expected, keyId);
        String pem = given().get("/api/v1/keys/" + keyId + ".pem").then().statusCode(200).extract().asString();
        assertEquals(Base64.getEncoder().encodeToString(spki),
                pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        given().get("/api/v1/keys/SHA256:0000.pem").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
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
