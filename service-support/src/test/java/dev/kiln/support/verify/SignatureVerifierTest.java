package dev.kiln.support.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.support.registry.RegistryClient;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What `kiln verify` decides, for both kinds of signature: right key, another key, another digest, another repository. */
class SignatureVerifierTest {
    static final String DIGEST = "sha256:" + "a".repeat(64);
    static final String OTHER_DIGEST = "sha256:" + "b".repeat(64);
    static final String REPO = "localhost:5001/hello";

    @Test
    void cosignSignaturesAreCheckedAgainstTheGivenKeys() throws Exception {
        KeyPair key = TestSigning.ecKeyPair();
        KeyPair other = TestSigning.ecKeyPair();
        Map<String, byte[]> blobs = new HashMap<>();
        List<JsonNode> layers = List.of(
                layer(blobs, key, CosignFormat.payload(REPO + ":1.0-1", DIGEST, Instant.now())),
                layer(blobs, key, CosignFormat.payload(REPO + ":1.0-1", OTHER_DIGEST, Instant.now())),
                layer(blobs, key, CosignFormat.payload("localhost:5001/evil:1.0", DIGEST, Instant.now())));
        byte[] manifest = CosignFormat.manifest(CosignFormat.config(List.of()), layers);

        List<SignatureVerifier.Finding> good = SignatureVerifier.cosign(manifest, blobs::get, REPO, DIGEST, List.of(key.getPublic()), "loc");
        assertEquals(3, good.size());
        assertTrue(good.get(0).valid(), good.get(0).describe());
        assertEquals(CosignKeys.keyId(key.getPublic()), good.get(0).keyId().orElseThrow());
        assertFalse(good.get(1).valid());
        assertTrue(good.get(1).problem().orElseThrow().contains("another image"), good.get(1).describe());
        assertFalse(good.get(2).valid());
        assertTrue(good.get(2).problem().orElseThrow().contains("another repository"), good.get(2).describe());

        List<SignatureVerifier.Finding> foreign = SignatureVerifier.cosign(manifest, blobs::get, REPO, DIGEST, List.of(other.getPublic()), "loc");
        assertTrue(foreign.stream().noneMatch(SignatureVerifier.Finding::valid));
        assertEquals("no given cosign key verifies this signature", foreign.get(0).problem().orElseThrow());
    }

    @Test
    void simpleSignaturesAreCheckedAgainstTheGivenKeys() throws Exception {
        TestSigning.PgpKey key = TestSigning.pgpKey();
        TestSigning.PgpKey other = TestSigning.pgpKey();
        byte[] sig = TestSigning.pgpSign(key, SimpleSigningFormat.payload(REPO + ":1.0-1", DIGEST, Instant.now()));

        SignatureVerifier.Finding ok = SignatureVerifier.simpleSigning(sig, REPO, DIGEST, List.of(key.publicRing()), "url");
        assertTrue(ok.valid(), ok.describe());
        assertEquals(key.keyId(), ok.keyId().orElseThrow());
        assertEquals(REPO + ":1.0-1", ok.signedReference().orElseThrow());

        assertFalse(SignatureVerifier.simpleSigning(sig, REPO, DIGEST, List.of(other.publicRing()), "url").valid());
        SignatureVerifier.Finding wrongDigest = SignatureVerifier.simpleSigning(sig, REPO, OTHER_DIGEST, List.of(key.publicRing()), "url");
        assertFalse(wrongDigest.valid());
        assertTrue(wrongDigest.describe().contains("another image"), wrongDigest.describe());
    }

    private static JsonNode layer(Map<String, byte[]> blobs, KeyPair key, byte[] payload) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(key.getPrivate());
        s.update(payload);
        blobs.put(RegistryClient.sha256(payload), payload);
        return CosignFormat.layer(payload, Base64.getEncoder().encodeToString(s.sign()));
    }
}
