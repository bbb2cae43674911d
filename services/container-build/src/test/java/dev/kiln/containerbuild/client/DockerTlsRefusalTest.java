package dev.kiln.containerbuild.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.util.CertificateUtils;
import dev.kiln.support.docker.DockerClients;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder's daemon behind mutual TLS ({@code dockerd --tlsverify}): only a client with a certificate of Kiln's CA
 * gets in. Runs against {@code KILN_TEST_DOCKER_HOST} / {@code KILN_TEST_DOCKER_CERT_PATH} and fails (never skips)
 * when that is not a {@code tcp://} daemon with TLS. Tagged {@code tls}: off until {@code ./kiln test} starts dockerd
 * with TLS (switch on with {@code -Dcontainerbuild.tls.excluded=}).
 */
@Tag("tls")
class DockerTlsRefusalTest {
    @TempDir
    static Path tmp;

    static String host;
    static Path certs;
    static URI ping;

    @BeforeAll
    static void daemonWithTls() {
        host = TestDocker.host();
        Optional<String> certPath = TestDocker.certPath();
        if (!host.startsWith("tcp://") || certPath.isEmpty()) {
            fail("KILN_TEST_DOCKER_HOST must be a tcp:// daemon with TLS and KILN_TEST_DOCKER_CERT_PATH its client"
                    + " certificate directory (./kiln test sets both), got " + host + " and " + certPath.orElse("no cert path"));
        }
        certs = Path.of(certPath.get());
        ping = URI.create("https://" + host.substring("tcp://".length()) + "/_ping");
    }

    @Test
    void clientWithACertificateOfTheCaGetsIn() throws Exception {
        DockerClient docker = DockerClients.create(host, Optional.of(certs.toString()));
        docker.pingCmd().exec();
        docker.close();
        HttpResponse<String> r = client(context(certs, certs.resolve("ca.pem"))).send(HttpRequest.newBuilder(ping).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("OK", r.body());
        assertTrue(DockerClients.isMutualTls(host, Optional.of(certs.toString())));
    }

    @Test
    void clientWithoutACertificateIsRefused() throws Exception {
        // TLS that trusts the daemon but shows no certificate: the handshake is refused
        HttpClient noCert = client(context(null, certs.resolve("ca.pem")));
        assertThrows(IOException.class, () -> noCert.send(HttpRequest.newBuilder(ping).build(),
                HttpResponse.BodyHandlers.ofString()));
        // plain HTTP on the TLS port: no Docker API answer
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        URI http = URI.create("http://" + host.substring("tcp://".length()) + "/_ping");
        try {
            HttpResponse<String> r = plain.send(HttpRequest.newBuilder(http).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertNotEquals(200, r.statusCode(), r.body());
        } catch (IOException refused) {
            // refused outright: fine too
        }
    }

    @Test
    void clientWithACertificateOfAnotherCaIsRefused() throws Exception {
        Path intruder = tmp.resolve("intruder");
        CertificateAuthority.create("Not Kiln's CA", Duration.ofDays(1)).issueClient("intruder", Duration.ofDays(1))
                .writeTo(intruder);
        // it trusts the daemon (Kiln's ca.pem) but shows a certificate the daemon's CA did not sign
        Files.copy(certs.resolve("ca.pem"), intruder.resolve("ca.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        HttpClient other = client(context(intruder, certs.resolve("ca.pem")));
        assertThrows(IOException.class, () -> other.send(HttpRequest.newBuilder(ping).build(),
                HttpResponse.BodyHandlers.ofString()));
        DockerClient docker = DockerClients.create(host, Optional.of(intruder.toString()));
        assertThrows(RuntimeException.class, () -> docker.pingCmd().exec());
        docker.close();
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static SSLContext context(Path certDir, Path trusted) throws Exception {
        KeyManagerFactory kmf = null;
        if (certDir != null) {
            KeyStore keys = CertificateUtils.createKeyStore(Files.readString(certDir.resolve("key.pem")),
                    Files.readString(certDir.resolve("cert.pem")));
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "docker".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(CertificateUtils.createTrustStore(Files.readString(trusted)));
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }
}
