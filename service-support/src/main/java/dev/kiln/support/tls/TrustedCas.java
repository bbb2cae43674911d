package dev.kiln.support.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Whom a TLS client of Kiln trusts: the system's CAs (the JVM's {@code cacerts}), and the CAs of a PEM file when one
 * is configured, typically Kiln's own CA ({@code ca.pem} of {@code kiln certs}) for registries whose certificates it
 * issued. This is the trust docker and skopeo take from {@code certs.d/<host:port>/ca.crt}.
 */
public final class TrustedCas {
    private TrustedCas() {
    }

    /** A TLS context trusting the system's CAs and, when given, every certificate of the PEM file {@code caFile}. */
    public static SSLContext context(Optional<Path> caFile) {
        try {
            if (caFile.isEmpty()) {
                return SSLContext.getDefault();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (X509Certificate system : systemTrust().getAcceptedIssuers()) {
                store.setCertificateEntry("system-" + n++, system);
            }
            List<X509Certificate> extra = read(caFile.get());
            for (int i = 0; i < extra.size(); i++) {
                store.setCertificateEntry("configured-" + i, extra.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust" + caFile.map(f -> " with " + f).orElse("")
                    + ": " + e.getMessage(), e);
        }
    }

    /** Every certificate of a PEM file; refuses a file that holds none. */
    public static List<X509Certificate> read(Path caFile) {
        if (!Files.isReadable(caFile)) {
            throw new IllegalArgumentException("the CA file " + caFile + " is missing or unreadable");
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : certs) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException("the CA file " + caFile + " holds no PEM certificate");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CA file " + caFile, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("the CA file " + caFile + " holds no readable PEM certificate", e);
        }
    }

    /**
     * What a failed TLS handshake means for a person, without the JSSE's class names: an untrusted issuer, a
     * certificate for another name, a peer that speaks plain HTTP; empty when {@code failure} is not about TLS.
     */
    public static Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (!(t instanceof SSLException)) {
                continue;
            }
            String m = String.valueOf(t.getMessage());
            if (m.contains("PKIX") || m.contains("certification path")) {
                return Optional.of("its TLS certificate is issued by a CA this client does not trust: give the CA's "
                        + "certificate as its CA file (kiln.registry.<name>.ca-file; kiln verify --registry-ca)");
            }
            if (m.contains("subject alternative") || m.contains("No name matching")) {
                return Optional.of("its TLS certificate names another host than the one reached");
            }
            if (m.contains("Unsupported or unrecognized SSL message") || m.contains("plaintext")) {
                return Optional.of("it answers plain HTTP, not TLS: reach it by an http:// URL (kiln verify --plain-http)");
            }
            if (t instanceof SSLHandshakeException) {
                return Optional.of("the TLS handshake failed");
            }
            return Optional.of("the TLS connection failed");
        }
        return Optional.empty();
    }

    private static X509TrustManager systemTrust() throws GeneralSecurityException {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init((KeyStore) null);
        for (TrustManager tm : tmf.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JVM has no X.509 trust manager");
    }
}
