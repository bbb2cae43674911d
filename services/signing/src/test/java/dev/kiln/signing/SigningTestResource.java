package dev.kiln.signing;

import dev.kiln.testsupport.RegistryProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A fresh unencrypted EC P-256 key (PKCS#8 PEM, mode 600, public key next to it as {@code <file>.pub}), as the demo
 * gives it, and three real registries: candidate, production and a further promotion target ({@code mirror}). No
 * OpenPGP key is configured: the service generates one and keeps it encrypted in PostgreSQL.
 */
public class SigningTestResource implements QuarkusTestResourceLifecycleManager {
    private RegistryProcess candidate;
    private RegistryProcess production;
    private RegistryProcess mirror;

    @Override
    public Map<String, String> start() {
        try {
            KeyPair pair = generateKeyPair();
            Path dir = Files.createTempDirectory("kiln-signing-key-");
            Path keyFile = dir.resolve("signing-key.pem");
            Files.writeString(keyFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            Files.writeString(dir.resolve("signing-key.pem.pub"), pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            candidate = RegistryProcess.start("candidate");
            production = RegistryProcess.start("production");
            mirror = RegistryProcess.start("mirror");
            return Map.of("kiln.signing.key-file", keyFile.toString(),
                    "kiln.registry.candidate.address", candidate.hostPort(),
                    "kiln.registry.candidate.url", candidate.url(),
                    "kiln.registry.production.address", production.hostPort(),
                    "kiln.registry.production.url", production.url(),
                    "kiln.registry.targets.mirror.address", mirror.hostPort(),
                    "kiln.registry.targets.mirror.url", mirror.url(),
                    "kiln.messaging.retry.initial-delay", "PT0.05S");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (candidate != null) {
            candidate.close();
        }
        if (production != null) {
            production.close();
        }
        if (mirror != null) {
            mirror.close();
        }
    }

    public static KeyPair generateKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
