package dev.kiln.support.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Kiln's internal certificate authority for the Docker daemon's mutual TLS (what BiZEPS' certGenerator does), made
 * with Bouncy Castle. It creates (or loads) a CA and issues a server certificate for dockerd ({@code serverAuth},
 * SANs for its DNS names and IP addresses) and client certificates for the services ({@code clientAuth}). Keys are
 * RSA 2048, written as PKCS#8 PEM with mode 0600; a certificate directory holds {@code ca.pem}, {@code cert.pem} and
 * {@code key.pem}, the layout dockerd ({@code --tlscacert/--tlscert/--tlskey}), the docker CLI
 * ({@code DOCKER_CERT_PATH}) and docker-java ({@code kiln.docker.cert-path}) read.
 *
 * <p>Longer than the house's 300 lines: creating, loading and issuing share the Bouncy Castle builders, the PEM
 * reading and the file modes. Its command line is {@code kiln certs}.
 */
public final class CertificateAuthority {
    public static final String CA_CERT = "ca.pem";
    public static final String CA_KEY = "ca-key.pem";
    public static final String CERT = "cert.pem";
    public static final String KEY = "key.pem";
    /** The key and then the certificate in one file: Kafka's PEM key store ({@code ssl.keystore.type=PEM}). */
    public static final String KEYSTORE = "keystore.pem";
    public static final Duration DEFAULT_CA_VALIDITY = Duration.ofDays(3650);
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    private static final String SIGNATURE = "SHA256withRSA";
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    private static final SecureRandom RANDOM = new SecureRandom();

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final X509Certificate certificate;
    private final PrivateKey key;

    private CertificateAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A certificate and its private key, as issued by this CA. */
    public record Issued(X509Certificate certificate, PrivateKey key, X509Certificate ca) {
        /**
         * Writes {@code ca.pem}, {@code cert.pem} (0644), {@code key.pem} and {@code keystore.pem} (0600) into
         * {@code dir}.
         */
        public void writeTo(Path dir) {
            createDirectory(dir);
            writeFile(dir.resolve(CA_CERT), pem(ca), PUBLIC);
            writeFile(dir.resolve(CERT), pem(certificate), PUBLIC);
            writeFile(dir.resolve(KEY), pkcs8Pem(key), PRIVATE);
            writeFile(dir.resolve(KEYSTORE), pkcs8Pem(key) + pem(certificate), PRIVATE);
        }

        /** Reads what {@link #writeTo} wrote: {@code cert.pem}, {@code key.pem} and {@code ca.pem} of {@code dir}. */
        public static Issued read(Path dir) {
            for (String file : List.of(CERT, KEY, CA_CERT)) {
                if (!Files.isReadable(dir.resolve(file))) {
                    throw new IllegalArgumentException("no " + file + " in " + dir + ": a certificate directory holds "
                            + CERT + ", " + KEY + " and " + CA_CERT + " (kiln certs client --out " + dir + ")");
                }
            }
            return new Issued(readCertificate(dir.resolve(CERT)), readPrivateKey(dir.resolve(KEY)),
                    readCertificate(dir.resolve(CA_CERT)));
        }
    }

    // ---- creating and loading the CA ---------------------------------------------------------------------------

    /** A new self-signed CA ({@code CA:TRUE, pathlen 0}, keyCertSign + cRLSign). */
    public static CertificateAuthority create(String commonName, Duration validity) {
        KeyPair pair = newKeyPair();
        X500Name subject = name(commonName);
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(subject, subject, pair.getPublic(), validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
            return new CertificateAuthority(sign(b, pair.getPrivate()), pair.getPrivate());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot create the CA certificate: " + e.getMessage(), e);
        }
    }

    /** Loads {@code ca.pem} and {@code ca-key.pem} from {@code dir}. */
    public static CertificateAuthority load(Path dir) {
        Path certFile = dir.resolve(CA_CERT);
        Path keyFile = dir.resolve(CA_KEY);
        if (!Files.isReadable(certFile) || !Files.isReadable(keyFile)) {
            throw new IllegalArgumentException("no CA in " + dir + ": " + CA_CERT + " and " + CA_KEY
                    + " are needed (create them with: init --dir " + dir + ")");
        }
        X509Certificate cert = readCertificate(certFile);
        PrivateKey key = readPrivateKey(keyFile);
        if (cert.getBasicConstraints() < 0) {
            throw new IllegalArgumentException(certFile + " is not a CA certificate");
        }
        return new CertificateAuthority(cert, key);
    }

    /** Loads the CA in {@code dir}, or creates and saves one when there is none. */
    public static CertificateAuthority loadOrCreate(Path dir, String commonName, Duration validity) {
        if (Files.exists(dir.resolve(CA_CERT)) || Files.exists(dir.resolve(CA_KEY))) {
            return load(dir);
        }
        CertificateAuthority ca = create(commonName, validity);
        ca.save(dir);
        return ca;
    }

    /** Writes {@code ca.pem} (0644) and {@code ca-key.pem} (0600) into {@code dir} (created with mode 0700). */
    public void save(Path dir) {
        createDirectory(dir);
        writeFile(dir.resolve(CA_KEY), pkcs8Pem(key), PRIVATE);
        writeFile(dir.resolve(CA_CERT), pem(certificate), PUBLIC);
    }

    public X509Certificate certificate() {
        return certificate;
    }

    // ---- issuing -----------------------------------------------------------------------------------------------

    /**
     * A server certificate: digitalSignature + keyEncipherment, extended key usage serverAuth, subject alternative
     * names for every DNS name and IP address given (at least one of them is needed).
     */
    public Issued issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        return issue(commonName, validity, sans(dnsNames, ipAddresses), KeyPurposeId.id_kp_serverAuth);
    }

    /**
     * A certificate for a server that is also a client of its peers (a Kafka broker, which connects to its KRaft
     * controller over the same mutual TLS): as {@link #issueServer}, with extended key usages serverAuth and
     * clientAuth.
     */
    public Issued issuePeer(String commonName, List<String> dnsNames, List<String> ipAddresses, Duration validity) {
        return issue(commonName, validity, sans(dnsNames, ipAddresses), KeyPurposeId.id_kp_serverAuth,
                KeyPurposeId.id_kp_clientAuth);
    }

    private static GeneralNames sans(List<String> dnsNames, List<String> ipAddresses) {
        List<GeneralName> names = new ArrayList<>();
        for (String dns : dnsNames) {
            if (!dns.isBlank()) {
                names.add(new GeneralName(GeneralName.dNSName, dns.strip()));
            }
        }
        for (String ip : ipAddresses) {
            if (!ip.isBlank()) {
                names.add(new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(literalIp(ip.strip()))));
            }
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
        }
        return new GeneralNames(names.toArray(GeneralName[]::new));
    }

    /** A client certificate: digitalSignature + keyEncipherment, extended key usage clientAuth. */
    public Issued issueClient(String commonName, Duration validity) {
        return issue(commonName, validity, null, KeyPurposeId.id_kp_clientAuth);
    }

    private Issued issue(String commonName, Duration validity, GeneralNames sans, KeyPurposeId... purposes) {
        KeyPair pair = newKeyPair();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = builder(X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
                    name(commonName), pair.getPublic(), validity)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true,
                            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purposes))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            if (sans != null) {
                b.addExtension(Extension.subjectAlternativeName, false, sans);
            }
            return new Issued(sign(b, key), pair.getPrivate(), certificate);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName + ": " + e.getMessage(), e);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an RSA key: " + e.getMessage(), e);
        }
    }

    private static X500Name name(String commonName) {
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Kiln").addRDN(BCStyle.CN, commonName).build();
    }

    private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, PublicKey key, Duration validity) {
        Instant now = Instant.now();
        BigInteger serial = new BigInteger(127, RANDOM).add(BigInteger.ONE);
        return new JcaX509v3CertificateBuilder(issuer, serial, Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(validity)), subject, key);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
        try {
            ContentSigner cs = new JcaContentSignerBuilder(SIGNATURE).build(signer);
            X509CertificateHolder holder = builder.build(cs);
            return new JcaX509CertificateConverter().getCertificate(holder);
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    private static byte[] literalIp(String ip) {
        if (!ip.matches("[0-9.]+") && !ip.contains(":")) {
            throw new IllegalArgumentException(ip + " is not an IP address");
        }
        try {
            return InetAddress.getByName(ip).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip + " is not an IP address", e);
        }
    }

    static String pem(Object object) {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(object);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s.toString();
    }

    static String pkcs8Pem(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the first certificate of a PEM file; what comes before it (the key of a {@link #KEYSTORE}) is skipped.
     */
    public static X509Certificate readCertificate(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            for (Object o = p.readObject(); o != null; o = p.readObject()) {
                if (o instanceof X509CertificateHolder h) {
                    return new JcaX509CertificateConverter().getCertificate(h);
                }
            }
            throw new IllegalArgumentException(file + " holds no PEM certificate");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The common name of {@code certificate}'s subject, if it has one. */
    public static Optional<String> commonName(X509Certificate certificate) {
        var cn = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        return cn.length == 0 ? Optional.empty() : Optional.of(cn[0].getFirst().getValue().toString());
    }

    /** Reads a PEM private key: PKCS#8 ({@code PRIVATE KEY}) or traditional ({@code RSA/EC PRIVATE KEY}). */
    public static PrivateKey readPrivateKey(Path file) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException(file + " holds no unencrypted PEM private key");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void createDirectory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir);
                if (posix()) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** Writes a file that has {@code permissions} before any byte is in it (a key is never world-readable). */
    private static void writeFile(Path file, String content, Set<PosixFilePermission> permissions) {
        try {
            if (posix()) {
                if (!Files.exists(file)) {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(permissions));
                }
                Files.setPosixFilePermissions(file, permissions); // umask may have narrowed, an old file widened it
            }
            Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }
}
