package dev.kiln.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import dev.kiln.signing.service.OpenPgp;
import dev.kiln.support.keys.KeyLoader;
import dev.kiln.support.keys.SigningKey;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
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
        TestKeys.privateMode(file);
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
        TestKeys.privateMode(garbage);
        assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(garbage));

        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaFile = dir.resolve("rsa.pem");
        Files.writeString(rsaFile, SigningTestResource.pem("PRIVATE KEY", rsa.generateKeyPair().getPrivate().getEncoded()));
        TestKeys.privateMode(rsaFile);
        var wrong = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(rsaFile));
        assertTrue(wrong.getMessage().contains("EC P-256"), wrong.getMessage());

        KeyPairGenerator ec384 = KeyPairGenerator.getInstance("EC");
        ec384.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
        Path p384 = dir.resolve("p384.pem");
        Files.writeString(p384, SigningTestResource.pem("PRIVATE KEY", ec384.generateKeyPair().getPrivate().getEncoded()));
        TestKeys.privateMode(p384);
        var curve = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(p384));
        assertTrue(curve.getMessage().contains("P-256"), curve.getMessage());
    }

    @Test
    void loadsAnEncryptedPkcs8KeyWithItsPassphraseOnly() throws Exception {
        KeyPair pair = SigningTestResource.generateKeyPair();
        Path file = TestKeys.pkcs8(dir.resolve("enc.pem"), pair.getPrivate(), Optional.of("s3cret passphrase"));
        assertTrue(Files.readString(file).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

        SigningKey key = KeyLoader.load(file, Optional.of("s3cret passphrase".toCharArray()));
        assertArrayEquals(pair.getPublic().getEncoded(), key.publicKey().getEncoded());

        var none = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(file));
        assertTrue(none.getMessage().contains("KILN_SIGNING_PASSPHRASE"), none.getMessage());
        var wrong = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(file, Optional.of("nope".toCharArray())));
        assertTrue(wrong.getMessage().contains("cannot be decrypted"), wrong.getMessage());
    }

    @Test
    void refusesAWorldReadableKeyFileWithASentence() throws Exception {
        Path file = TestKeys.pkcs8(dir.resolve("open.pem"), SigningTestResource.generateKeyPair().getPrivate(), Optional.empty());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        var e = assertThrows(KeyLoader.KeyLoadException.class, () -> KeyLoader.load(file));
        assertEquals("signing key file " + file + " is readable by every user of this machine; refusing to use it: make it"
                + " private with `chmod 600 " + file + "` and start the service again", e.getMessage());

        Path pgp = dir.resolve("open.asc");
        TestKeys.openPgp(pgp, "pw");
        Files.setPosixFilePermissions(pgp, PosixFilePermissions.fromString("rw-r--r--"));
        var p = assertThrows(KeyLoader.KeyLoadException.class, () -> OpenPgp.loadSecretKeyFile(pgp, Optional.of("pw".toCharArray())));
        assertTrue(p.getMessage().contains("readable by every user"), p.getMessage());

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        KeyLoader.load(file); // group-readable is accepted (a service group may share it)
    }
}
