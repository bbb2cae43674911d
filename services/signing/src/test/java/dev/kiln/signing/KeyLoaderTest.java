package dev.kiln.signing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signing.domain.SigningKey;
import dev.kiln.signing.service.KeyLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyLoaderTest {
    @TempDir
    Path dir;

    @Test
    void loadsPkcs8P256KeyAndDerivesThePublicKey() throws Exception {
        KeyPair pair = SigningTestResource.generateKeyPair();
        Path file = dir.resolve("key.pem");
        Files.writeString(file, SigningTestResource.pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        SigningKey key = KeyLoader.load(file);
        assertEquals(java.util.Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()),
                java.util.Base64.getEncoder().encodeToString(key.publicKey().getEncoded()));
        assertTrue(key.keyId().matches("SHA256:[0-9a-f]{32}"));
        assertTrue(key.matches(key.keyId()) && key.matches(key.keyId().substring(7)));
    }

    @Test
    void refusesMissingGarbageAndWrongKeys() throws Exception {
        var missing = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(dir.resolve("nope.pem")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());

        Path garbage = dir.resolve("garbage.pem");
        Files.writeString(garbage, "hello");
        assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(garbage));

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaFile = dir.resolve("rsa.pem");
        Files.writeString(rsaFile, SigningTestResource.pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));
        var wrong = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(rsaFile));
        assertTrue(wrong.getMessage().contains("EC P-256"), wrong.getMessage());

        KeyPairGenerator ec384 = KeyPairGenerator.getInstance("EC");
        ec384.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        Path p384 = dir.resolve("p384.pem");
        Files.writeString(p384, SigningTestResource.pem("PRIVATE KEY", ec384.generateKeyPair().getPrivate().getEncoded()));
        var curve = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(p384));
        assertTrue(curve.getMessage().contains("P-256"), curve.getMessage());
    }
}
