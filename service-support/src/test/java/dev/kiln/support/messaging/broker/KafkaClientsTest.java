package dev.kiln.support.messaging.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.support.tls.CertificateAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What keeps a service off the bus at start: no mutual TLS, missing certificate files, someone else's certificate. */
class KafkaClientsTest {
    @TempDir
    Path dir;

    private Map<String, Object> ssl(Path certs) {
        return Map.of("bootstrap.servers", "localhost:9092", "security.protocol", "SSL",
                "ssl.keystore.location", certs.resolve(CertificateAuthority.KEYSTORE).toString(),
                "ssl.truststore.location", certs.resolve(CertificateAuthority.CA_CERT).toString());
    }

    @Test
    void aServiceWithItsOwnCertificateMayConnect() {
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        ca.issueClient("qa", Duration.ofDays(1)).writeTo(dir.resolve("qa"));
        assertEquals(Optional.empty(), KafkaClients.problem(ssl(dir.resolve("qa")), "qa"));
    }

    @Test
    void plaintextMissingFilesAndAnotherPrincipalsCertificateAreRefused() throws Exception {
        String plaintext = KafkaClients.problem(Map.of("bootstrap.servers", "localhost:9092"), "qa").orElseThrow();
        assertTrue(plaintext.contains("kafka.security.protocol is PLAINTEXT"), plaintext);

        String missing = KafkaClients.problem(ssl(dir.resolve("nowhere")), "qa").orElseThrow();
        assertTrue(missing.contains("KILN_BUS_CERTS") && missing.contains("--cn qa"), missing);

        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        ca.issueClient("release", Duration.ofDays(1)).writeTo(dir.resolve("release"));
        String other = KafkaClients.problem(ssl(dir.resolve("release")), "qa").orElseThrow();
        assertTrue(other.contains("is for CN=release, but this service is qa"), other);

        Files.writeString(dir.resolve("release").resolve(CertificateAuthority.KEYSTORE), "not PEM\n");
        String unreadable = KafkaClients.problem(ssl(dir.resolve("release")), "qa").orElseThrow();
        assertTrue(unreadable.contains("holds no readable certificate"), unreadable);
    }
}
