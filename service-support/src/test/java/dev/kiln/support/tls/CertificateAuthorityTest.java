package dev.kiln.support.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.core.util.CertificateUtils;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
    private static final Duration DAY = Duration.ofDays(1);
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    @TempDir
    static Path dir;

    static Path caDir;
    static Path serverDir;
    static Path clientDir;
    static Path otherClientDir;

    @BeforeAll
    static void issue() {
        caDir = dir.resolve("ca");
        serverDir = dir.resolve("server");
        clientDir = dir.resolve("client");
        otherClientDir = dir.resolve("other-client");
        CertificateAuthority ca = CertificateAuthority.loadOrCreate(caDir, "Test CA", Duration.ofDays(30));
        ca.issueServer("kiln-dockerd", List.of("localhost", "docker.kiln.test"), List.of("127.0.0.1", "::1"),
                Duration.ofDays(10)).writeTo(serverDir);
        ca.issueClient("container-build", CertificateAuthority.DEFAULT_VALIDITY).writeTo(clientDir);
        CertificateAuthority.create("Another CA", DAY).issueClient("intruder", DAY).writeTo(otherClientDir);
    }

    @Test
    void chainsValidateAgainstTheCa() throws Exception {
        X509Certificate ca = CertificateAuthority.readCertificate(caDir.resolve("ca.pem"));
        assertTrue(ca.getBasicConstraints() >= 0, "CA:TRUE");
        assertTrue(ca.getKeyUsage()[5], "keyCertSign");
        validate(ca, CertificateAuthority.readCertificate(serverDir.resolve("cert.pem")));
        validate(ca, CertificateAuthority.readCertificate(clientDir.resolve("cert.pem")));
        assertEquals(ca, CertificateAuthority.readCertificate(serverDir.resolve("ca.pem")));
        assertThrows(CertPathValidatorException.class,
                () -> validate(ca, CertificateAuthority.readCertificate(otherClientDir.resolve("cert.pem"))));
    }

    @Test
    void serverCertificateHasSansUsagesAndValidity() throws Exception {
        X509Certificate cert = CertificateAuthority.readCertificate(serverDir.resolve("cert.pem"));
        List<String> sans = new ArrayList<>();
        for (List<?> san : cert.getSubjectAlternativeNames()) {
            sans.add(san.get(0) + ":" + san.get(1));
        }
        assertTrue(sans.contains("2:localhost"), sans.toString());
        assertTrue(sans.contains("2:docker.kiln.test"), sans.toString());
        assertTrue(sans.contains("7:127.0.0.1"), sans.toString());
        assertTrue(sans.stream().anyMatch(s -> s.startsWith("7:0:0:0:0:0:0:0:1")), sans.toString());
        boolean[] usage = cert.getKeyUsage();
        assertTrue(usage[0] && usage[2], "digitalSignature + keyEncipherment");
        assertEquals(List.of(SERVER_AUTH), cert.getExtendedKeyUsage());
        assertEquals(-1, cert.getBasicConstraints(), "not a CA");
        long days = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant()).toDays();
        assertEquals(10, days);
    }

    @Test
    void clientCertificateIsForClientAuthOnly() throws Exception {
        X509Certificate cert = CertificateAuthority.readCertificate(clientDir.resolve("cert.pem"));
        assertEquals(List.of(CLIENT_AUTH), cert.getExtendedKeyUsage());
        assertTrue(cert.getSubjectX500Principal().getName().contains("CN=container-build"));
        boolean[] usage = cert.getKeyUsage();
        assertTrue(usage[0] && usage[2]);
    }

    @Test
    void keysAreReadableByTheOwnerOnly() throws Exception {
        for (Path key : List.of(caDir.resolve("ca-key.pem"), serverDir.resolve("key.pem"), clientDir.resolve("key.pem"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)), key.toString());
            assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
        }
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(clientDir.resolve("cert.pem"))));
    }

    @Test
    void moreClientsFromTheSameCaLater() throws Exception {
        byte[] caBefore = Files.readAllBytes(caDir.resolve("ca.pem"));
        CertificateAuthority kept = CertificateAuthority.loadOrCreate(caDir, "Another name", Duration.ofDays(1));
        assertTrue(kept.certificate().getSubjectX500Principal().getName().contains("CN=Test CA"));
        assertArrayEquals(caBefore, Files.readAllBytes(caDir.resolve("ca.pem")), "an existing CA is kept");
        Path qa = dir.resolve("qa");
        CertificateAuthority.load(caDir).issueClient("qa", DAY).writeTo(qa);
        validate(CertificateAuthority.readCertificate(caDir.resolve("ca.pem")),
                CertificateAuthority.readCertificate(qa.resolve("cert.pem")));
    }

    @Test
    void badInput() {
        CertificateAuthority ca = CertificateAuthority.load(caDir);
        assertThrows(RuntimeException.class, () -> CertificateAuthority.load(dir.resolve("nothing")));
        assertThrows(IllegalArgumentException.class,
                () -> ca.issueServer("x", List.of(), List.of("not-an-ip"), DAY));
    }

    /**
     * A TLS server that demands client certificates, as dockerd --tlsverify does, with the material docker-java loads
     * (its own CertificateUtils): the client of this CA gets through, one of another CA and one without a
     * certificate are refused in the handshake.
     */
    @Test
    void mutualTlsHandshakeWithDockerJavasKeyLoading() throws Exception {
        SSLContext serverContext = context(serverDir, caDir.resolve("ca.pem"));
        try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.setNeedClientAuth(true);
            CompletableFuture<Void> acceptor = CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 3; i++) {
                    try (SSLSocket s = (SSLSocket) server.accept()) {
                        s.startHandshake();
                        s.getOutputStream().write('k');
                        s.getOutputStream().flush();
                    } catch (Exception e) {
                        // refused clients end here
                    }
                }
            });
            assertEquals('k', roundTrip(context(clientDir, clientDir.resolve("ca.pem")), server.getLocalPort()));
            assertThrows(Exception.class, () -> roundTrip(context(otherClientDir, clientDir.resolve("ca.pem")),
                    server.getLocalPort()));
            assertThrows(Exception.class, () -> roundTrip(context(null, clientDir.resolve("ca.pem")), server.getLocalPort()));
            acceptor.get(30, TimeUnit.SECONDS);
        }
    }

    private static int roundTrip(SSLContext context, int port) throws Exception {
        try (SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket("localhost", port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.flush();
            InputStream in = s.getInputStream();
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("closed by the server");
            }
            return b;
        }
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
        SSLContext c = SSLContext.getInstance("TLSv1.2");
        c.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return c;
    }

    private static void validate(X509Certificate ca, X509Certificate cert) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false);
        Collection<X509Certificate> chain = List.of(cert);
        CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.copyOf(chain)), params);
    }
}
