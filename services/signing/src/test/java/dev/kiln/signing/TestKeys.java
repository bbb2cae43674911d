package dev.kiln.signing;

import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.signing.service.OpenPgp;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;

/** Key files as an operator would make them. */
final class TestKeys {
    private TestKeys() {
    }

    /** A PKCS#8 PEM file, encrypted ({@code ENCRYPTED PRIVATE KEY}) when a passphrase is given, mode 600. */
    static Path pkcs8(Path file, PrivateKey key, Optional<String> passphrase) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            OutputEncryptor encryptor = passphrase.isEmpty() ? null
                    : new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider()).setPassword(passphrase.get().toCharArray()).build();
            writer.writeObject(new JcaPKCS8Generator(key, encryptor));
        }
        Files.writeString(file, out.toString());
        privateMode(file);
        return file;
    }

    /** An armored OpenPGP secret key ring encrypted with {@code passphrase}, mode 600; returns the unlocked key. */
    static OpenPgpKey openPgp(Path file, String passphrase) throws IOException {
        byte[] ring = OpenPgp.generateSecretRing("Test <test@kiln.invalid>", passphrase.toCharArray(), 2048);
        Files.write(file, ring);
        privateMode(file);
        return OpenPgp.unlock(ring, Optional.of(passphrase.toCharArray()), file.toString());
    }

    static void privateMode(Path file) throws IOException {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
}
