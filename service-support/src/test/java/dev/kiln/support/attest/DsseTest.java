package dev.kiln.support.attest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.support.verify.CosignKeys;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class DsseTest {
    @Test
    void thePreAuthenticationEncodingIsTheSpecificationsExample() {
        // https://github.com/secure-systems-lab/dsse/blob/master/protocol.md, "Test case"
        assertEquals("DSSEv1 29 http://example.com/HelloWorld 11 hello world", new String(Dsse.pae(
                "http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8));
    }

    @Test
    void anEnvelopeVerifiesUnderItsKeyOnlyAndNotOnceChanged() throws Exception {
        KeyPair key = ecKey();
        KeyPair other = ecKey();
        byte[] payload = "{\"_type\":\"https://in-toto.io/Statement/v1\"}".getBytes(StandardCharsets.UTF_8);
        Dsse.Envelope signed = Dsse.sign(Dsse.IN_TOTO, payload, key.getPrivate(), key.getPublic());
        assertEquals(CosignKeys.keyId(key.getPublic()), signed.signatures().get(0).keyId());

        Dsse.Envelope read = Dsse.parse(signed.json());
        assertArrayEquals(payload, read.payload());
        assertEquals(CosignKeys.keyId(key.getPublic()), read.verifiedBy(List.of(other.getPublic(), key.getPublic())).orElseThrow());
        assertTrue(read.verifiedBy(List.of(other.getPublic())).isEmpty(), "another key");
        assertTrue(new Dsse.Envelope(Dsse.IN_TOTO, "{}".getBytes(StandardCharsets.UTF_8), read.signatures())
                .verifiedBy(List.of(key.getPublic())).isEmpty(), "another payload");
        assertTrue(new Dsse.Envelope("application/json", payload, read.signatures())
                .verifiedBy(List.of(key.getPublic())).isEmpty(), "another payload type");
        assertTrue(new Dsse.Envelope(Dsse.IN_TOTO, payload, List.of()).verifiedBy(List.of(key.getPublic())).isEmpty(),
                "no signature");
    }

    @Test
    void whatIsNotAnEnvelopeIsRefusedWithTheReason() {
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse("not json".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse("{}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> Dsse.parse(
                "{\"payloadType\":\"x\",\"payload\":\"***\"}".getBytes(StandardCharsets.UTF_8)));
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
