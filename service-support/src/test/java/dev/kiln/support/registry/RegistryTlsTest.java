package dev.kiln.support.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.kiln.support.tls.CertificateAuthority;
import dev.kiln.support.tls.TrustedCas;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry client over https against a real TLS server (the JDK's) whose certificate comes from a Kiln CA: trusted
 * by that CA's file, refused without it or for another name, each refusal a sentence and not a transient failure.
 */
class RegistryTlsTest {
    @TempDir
    Path dir;

    @Test
    void aCertificateFromTheConfiguredCaIsTrustedAndOthersAreRefusedWithTheReason() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("kiln-test-ca", Duration.ofDays(1));
        CertificateAuthority.Issued good = ca.issueServer("registry", List.of("localhost"), List.of("127.0.0.1"),
                Duration.ofDays(1));
        CertificateAuthority.Issued otherName = ca.issueServer("registry", List.of("elsewhere.example"), List.of(),
                Duration.ofDays(1));
        good.writeTo(dir.resolve("good"));
        Path caFile = dir.resolve("good").resolve(CertificateAuthority.CA_CERT);

        HttpsServer server = serve(good);
        HttpsServer misnamed = serve(otherName);
        try {
            RegistryClient trusting = client(server, Optional.of(caFile));
            assertFalse(trusting.manifestExists("hello", "1.0"), "the trusted registry answered 404");

            RegistryException untrusted = assertThrows(RegistryException.class,
                    () -> client(server, Optional.empty()).manifestExists("hello", "1.0"));
            assertFalse(untrusted.isTransient());
            assertEquals(0, untrusted.status());
            assertTrue(untrusted.getMessage().contains("does not trust") && untrusted.getMessage().contains("ca-file"),
                    untrusted.getMessage());
            assertFalse(untrusted.getMessage().contains("PKIX") || untrusted.getMessage().contains("Exception"),
                    untrusted.getMessage());

            RegistryException wrongName = assertThrows(RegistryException.class,
                    () -> client(misnamed, Optional.of(caFile)).manifestExists("hello", "1.0"));
            assertFalse(wrongName.isTransient());
            assertTrue(wrongName.getMessage().contains("names another host"), wrongName.getMessage());
        } finally {
            server.stop(0);
            misnamed.stop(0);
        }
    }

    @Test
    void httpsToAPlainHttpServerSaysSo() throws Exception {
        // a plain HTTP server answers the TLS hello with an HTTP error, as distribution's does
        try (ServerSocket plain = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                try (Socket s = plain.accept()) {
                    s.getInputStream().read(new byte[512]);
                    s.getOutputStream().write("HTTP/1.0 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the test's assertion says what went wrong
                }
            });
            answer.start();
            RegistryClient client = RegistryClient.anonymous("localhost:" + plain.getLocalPort(),
                    URI.create("https://localhost:" + plain.getLocalPort()));
            RegistryException e = assertThrows(RegistryException.class, () -> client.manifestExists("hello", "1.0"));
            assertFalse(e.isTransient(), e.getMessage());
            assertTrue(e.getMessage().contains("plain HTTP, not TLS"), e.getMessage());
            answer.join(5000);
        }
    }

    @Test
    void aCaFileWithoutCertificatesIsRefused() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "not a certificate\n");
        assertThrows(IllegalArgumentException.class, () -> TrustedCas.read(empty));
        assertThrows(IllegalArgumentException.class, () -> TrustedCas.read(dir.resolve("absent.pem")));
    }

    private static RegistryClient client(HttpsServer server, Optional<Path> caFile) {
        int port = server.getAddress().getPort();
        return new RegistryClient("localhost:" + port, URI.create("https://localhost:" + port), Optional.empty(),
                Optional.empty(), Duration.ofSeconds(10), TrustedCas.context(caFile));
    }

    /** A TLS server on a free loopback port presenting {@code issued}, answering 404 to everything. */
    private static HttpsServer serve(CertificateAuthority.Issued issued) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", issued.key(), new char[0], new Certificate[] {issued.certificate(), issued.ca()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", x -> {
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.start();
        return server;
    }
}
