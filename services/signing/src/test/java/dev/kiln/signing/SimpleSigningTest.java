package dev.kiln.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.support.verify.CosignFormat;
import dev.kiln.signing.service.OpenPgp;
import dev.kiln.support.verify.OpenPgpVerifier;
import dev.kiln.support.verify.SimpleSigningFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimpleSigningTest {
    static final String DIGEST = "sha256:" + "1".repeat(64);
    static OpenPgpKey key;
    static OpenPgpKey other;

    @BeforeAll
    static void keys(@TempDir Path dir) throws Exception {
        key = TestKeys.openPgp(dir.resolve("a.asc"), "passphrase a");
        other = TestKeys.openPgp(dir.resolve("b.asc"), "passphrase b");
    }

    @Test
    void payloadIsTheAtomicContainerSignature() {
        byte[] payload = SimpleSigningFormat.payload("localhost:5000/hello:1.0-1", DIGEST, Instant.ofEpochSecond(1700000000));
        assertEquals("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"" + DIGEST
                + "\"},\"identity\":{\"docker-reference\":\"localhost:5000/hello:1.0-1\"}},\"optional\":{\"creator\":"
                + "\"kiln-signing\",\"timestamp\":1700000000}}", new String(payload, StandardCharsets.UTF_8));
        assertEquals(new CosignFormat.Identity("localhost:5000/hello:1.0-1", DIGEST), SimpleSigningFormat.identity(payload).orElseThrow());
        // parsed as strictly as containers/image: an unknown critical field or another type is not a signature
        assertTrue(SimpleSigningFormat.identity(("{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\""
                + DIGEST + "\"},\"identity\":{\"docker-reference\":\"x\"},\"extra\":1}}").getBytes()).isEmpty());
        assertTrue(SimpleSigningFormat.identity(CosignFormat.payload("x", DIGEST, Instant.now())).isEmpty());
    }

    @Test
    void signedMessageVerifiesWithTheKeyAndNotWithAnother() {
        byte[] payload = SimpleSigningFormat.payload("localhost:5000/hello:1.0-1", DIGEST, Instant.now());
        byte[] message = OpenPgp.sign(key, payload, new Date());
        // a binary signed message (not armored, not cleartext, not detached)
        assertFalse(new String(message, StandardCharsets.ISO_8859_1).contains("-----BEGIN"));

        OpenPgpVerifier.Verification ok = OpenPgpVerifier.verify(message, List.of(other.publicRing(), key.publicRing()));
        assertTrue(ok.valid(), ok.problem().toString());
        assertArrayEquals(payload, ok.payload().orElseThrow());
        assertEquals(key.keyId(), ok.signerKeyId().orElseThrow());
        assertTrue(key.keyId().matches("[0-9A-F]{40}"));

        OpenPgpVerifier.Verification foreign = OpenPgpVerifier.verify(message, List.of(other.publicRing()));
        assertFalse(foreign.valid());
        assertTrue(foreign.problem().orElseThrow().contains("not among the given public keys"), foreign.problem().toString());

        byte[] tampered = message.clone();
        int at = new String(message, StandardCharsets.ISO_8859_1).indexOf("hello");
        tampered[at] = 'j';
        OpenPgpVerifier.Verification bad = OpenPgpVerifier.verify(tampered, List.of(key.publicRing()));
        assertFalse(bad.valid());

        assertFalse(OpenPgpVerifier.verify("garbage".getBytes(), List.of(key.publicRing())).valid());
    }

    @Test
    void armoredPublicKeyRoundTrips() {
        assertTrue(key.armoredPublicKey().startsWith("-----BEGIN PGP PUBLIC KEY BLOCK-----"), key.armoredPublicKey());
        OpenPgpKey publicOnly = OpenPgp.publicOnly(key.armoredPublicKey().getBytes(StandardCharsets.US_ASCII), "test");
        assertEquals(key.keyId(), publicOnly.keyId());
        assertTrue(publicOnly.privateKey().isEmpty());
        assertTrue(publicOnly.matches(key.keyId().substring(24).toLowerCase()));
    }

    @Test
    void encryptedKeyRingNeedsItsPassphrase(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("k.asc");
        OpenPgpKey made = TestKeys.openPgp(file, "right");
        assertEquals(made.keyId(), OpenPgp.loadSecretKeyFile(file, Optional.of("right".toCharArray())).keyId());
        var wrong = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> OpenPgp.loadSecretKeyFile(file, Optional.of("wrong".toCharArray())));
        assertTrue(wrong.getMessage().contains("cannot be unlocked"), wrong.getMessage());
        var none = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> OpenPgp.loadSecretKeyFile(file, Optional.empty()));
        assertTrue(none.getMessage().contains("KILN_SIGNING_PASSPHRASE"), none.getMessage());
    }

    @Test
    void lookasidePathsRoundTrip() {
        String url = SimpleSigningFormat.lookasideUrl("http://localhost:8084/lookaside/", "base/busybox", DIGEST, 2);
        assertEquals("http://localhost:8084/lookaside/base/busybox@sha256=" + "1".repeat(64) + "/signature-2", url);
        assertEquals(new SimpleSigningFormat.LookasidePath("base/busybox", DIGEST, 2),
                SimpleSigningFormat.parseLookasidePath("base/busybox@sha256=" + "1".repeat(64) + "/signature-2").orElseThrow());
        assertTrue(SimpleSigningFormat.parseLookasidePath("base@sha256=" + "1".repeat(64) + "/signature-0").isEmpty());
        assertTrue(SimpleSigningFormat.parseLookasidePath("../etc@sha256=xyz/signature-1").isEmpty());
    }
}
