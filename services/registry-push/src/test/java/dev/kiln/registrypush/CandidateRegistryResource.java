package dev.kiln.registrypush;

import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** A real candidate registry (Debian's docker-registry) for the test, a fresh layer cache, and a builder key. */
public class CandidateRegistryResource implements QuarkusTestResourceLifecycleManager {
    private static RegistryProcess registry;
    private static KeyPair builderKey;
    private static Path builderKeyPem;

    /** The builder key registry-push signs provenance with in this test. */
    public static KeyPair builderKey() {
        return builderKey;
    }

    /** Its public key as PEM, for openssl. */
    public static String builderPublicKeyPem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(builderKey.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    public static RegistryProcess registry() {
        return registry;
    }

    @Override
    public Map<String, String> start() {
        registry = RegistryProcess.start("candidate");
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            builderKey = generator.generateKeyPair();
            builderKeyPem = Files.createTempFile("kiln-builder-key-", ".pem",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(builderKeyPem, "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64,
                    "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(builderKey.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n");
            Map<String, String> config = new HashMap<>(Map.of("kiln.registry.candidate.address", registry.hostPort(),
                    "kiln.registry.candidate.url", registry.url(),
                    "kiln.push.cache-dir", Files.createTempDirectory("kiln-push-cache-").toString(),
                    "kiln.messaging.retry.attempts", "2",
                    "kiln.messaging.retry.initial-delay", "PT0.1S",
                    "kiln.provenance.key-file", builderKeyPem.toString()));
            TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
            return config;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }
}
