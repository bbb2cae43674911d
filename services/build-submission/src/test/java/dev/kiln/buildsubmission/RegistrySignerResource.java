package dev.kiln.buildsubmission;

import dev.kiln.support.tls.CertificateAuthority;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The hub's registry token signer for the tests: a CA and a signer certificate from it in a temporary directory, as
 * {@code kiln certs init} and {@code kiln certs client --cn kiln-registry-tokens} make them; the CA is what the
 * test registries trust ({@link #rootCertBundle()}).
 */
public class RegistrySignerResource implements QuarkusTestResourceLifecycleManager {
    private static Path dir;

    /** The CA certificate the registries name as {@code rootcertbundle}. */
    static synchronized Path rootCertBundle() {
        return directory().resolve("ca").resolve(CertificateAuthority.CA_CERT);
    }

    private static synchronized Path directory() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("kiln-registry-tokens-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CertificateAuthority ca = CertificateAuthority.loadOrCreate(dir.resolve("ca"), "Kiln test CA", Duration.ofDays(1));
            ca.issueClient("kiln-registry-tokens", Duration.ofDays(1)).writeTo(dir.resolve("signer"));
        }
        return dir;
    }

    @Override
    public Map<String, String> start() {
        return Map.of("kiln.registry-tokens.signer-dir", directory().resolve("signer").toString());
    }

    @Override
    public void stop() {
        // the directory is left to the temporary directory's cleaning: registries started by a test may still read it
    }
}
