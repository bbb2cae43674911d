package dev.kiln.signing.service;

import dev.kiln.support.keys.KeyFiles;
import dev.kiln.support.keys.KeyLoader;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.support.keys.SigningKey;
import dev.kiln.signing.store.SigningDatabase;
import dev.kiln.testsupport.Postgres;
import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** Key configuration against the real PostgreSQL: encrypted key files, a key directory, rotation, the generated key. */
class SigningKeysTest {
    static DataSource dataSource;

    @TempDir
    Path dir;

    @BeforeAll
    static void createDatabase() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(Postgres.jdbcUrl(Postgres.createDatabase("kiln_signing_keys")));
        ds.setUser(Postgres.user());
        ds.setPassword(Postgres.password());
        Flyway.configure().dataSource(ds).schemas("signing").createSchemas(true).load().migrate();
        dataSource = ds;
    }

    @Test
    void aKeyDirectoryRotatesByFileNameAndKeepsOlderKeysForVerification() throws Exception {
        SigningKey old = KeyLoader.fromPrivateKey(cosignKey(dir.resolve("2024-cosign.pem"), "pw").getPrivate(), "old");
        SigningKey current = KeyLoader.fromPrivateKey(cosignKey(dir.resolve("2025-cosign.pem"), "pw").getPrivate(), "new");
        OpenPgpKey pgp = OpenPgp.unlock(openPgpKey(dir.resolve("2025-openpgp.asc"), "pw"), Optional.of("pw".toCharArray()), "t");

        SigningKeys keys = load(config(Optional.empty(), Optional.of(dir), Optional.of("pw"), List.of(), true));
        assertEquals(current.keyId(), keys.current().keyId(), "the last file name signs");
        assertEquals(List.of(old.keyId(), current.keyId()), keys.all().stream().map(SigningKey::keyId).toList());
        assertEquals(pgp.keyId(), keys.currentOpenPgp().orElseThrow().keyId());
        assertEquals(1, keys.openPgpKeys().size(), "a configured OpenPGP key means none is generated");

        SigningKeys pinned = load(config(Optional.empty(), Optional.of(dir), Optional.of("pw"), List.of(old.keyId()), true));
        assertEquals(old.keyId(), pinned.current().keyId(), "kiln.signing.active-keys picks the signing key");

        var noPassphrase = assertThrows(KeyLoader.KeyLoadException.class,
                () -> load(config(Optional.empty(), Optional.of(dir), Optional.empty(), List.of(), true)));
        assertTrue(noPassphrase.getMessage().contains("KILN_SIGNING_PASSPHRASE"), noPassphrase.getMessage());

        Files.setPosixFilePermissions(dir.resolve("2024-cosign.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        var open = assertThrows(KeyLoader.KeyLoadException.class,
                () -> load(config(Optional.empty(), Optional.of(dir), Optional.of("pw"), List.of(), true)));
        assertTrue(open.getMessage().contains("readable by every user") && open.getMessage().contains("chmod 600"), open.getMessage());
    }

    @Test
    void withoutAnOpenPgpKeyOneIsGeneratedOnceAndStoredEncrypted() throws Exception {
        Path file = dir.resolve("cosign.pem");
        cosignKey(file, null);
        SigningKeys first = load(config(Optional.of(file), Optional.empty(), Optional.empty(), List.of(), true));
        OpenPgpKey generated = first.currentOpenPgp().orElseThrow();
        SigningKeys second = load(config(Optional.of(file), Optional.empty(), Optional.empty(), List.of(), true));
        assertEquals(generated.keyId(), second.currentOpenPgp().orElseThrow().keyId(), "the stored key is reused");

        SigningDatabase db = database();
        var stored = db.generatedOpenPgpKeys();
        assertEquals(1, stored.size());
        assertTrue(stored.get(0).armoredSecretKey().startsWith("-----BEGIN PGP PRIVATE KEY BLOCK-----"));
        assertTrue(stored.get(0).protectedBy().startsWith("cosign-key:"));
        assertThrows(KeyLoader.KeyLoadException.class, () -> OpenPgp.unlock(stored.get(0).armoredSecretKey().getBytes(),
                Optional.of("guess".toCharArray()), "db"), "the stored key is encrypted");

        // another cosign key cannot open it: the service says which key it needs
        Path other = dir.resolve("other.pem");
        cosignKey(other, null);
        var e = assertThrows(KeyLoader.KeyLoadException.class,
                () -> load(config(Optional.of(other), Optional.empty(), Optional.empty(), List.of(), true)));
        assertTrue(e.getMessage().contains("protected by cosign key"), e.getMessage());
    }

    private static SigningKeys load(SigningConfig config) throws Exception {
        SigningKeys keys = new SigningKeys();
        keys.config = config;
        keys.database = database();
        keys.load();
        return keys;
    }

    private static SigningDatabase database() throws Exception {
        SigningDatabase db = new SigningDatabase();
        var field = SigningDatabase.class.getDeclaredField("dataSource");
        field.setAccessible(true);
        field.set(db, dataSource);
        return db;
    }

    private static KeyPair cosignKey(Path file, String passphrase) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC", new BouncyCastleProvider());
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(pair.getPrivate(), passphrase == null ? null
                    : new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(new BouncyCastleProvider())
                            .setPassword(passphrase.toCharArray()).build()));
        }
        Files.writeString(file, out.toString());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return pair;
    }

    private static byte[] openPgpKey(Path file, String passphrase) throws Exception {
        byte[] ring = OpenPgp.generateSecretRing("T <t@kiln.invalid>", passphrase.toCharArray(), 2048);
        Files.write(file, ring);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return ring;
    }

    private static SigningConfig config(Optional<Path> keyFile, Optional<Path> keyDir, Optional<String> passphrase,
            List<String> active, boolean generate) {
        SigningConfig.Signing signing = new SigningConfig.Signing() {
            public Optional<String> keyFile() { return keyFile.map(Path::toString); }
            public Optional<String> openpgpKeyFile() { return Optional.empty(); }
            public Optional<String> passphrase() { return passphrase; }
            public Optional<List<SigningConfig.KeyEntry>> keys() { return Optional.empty(); }
            public Optional<String> keyDir() { return keyDir.map(Path::toString); }
            public Optional<List<String>> activeKeys() { return active.isEmpty() ? Optional.empty() : Optional.of(active); }
            public boolean generateOpenpgpKey() { return generate; }
            public String openpgpUserId() { return "Kiln test <t@kiln.invalid>"; }
            public String lookasideUrl() { return "http://localhost:8084/lookaside"; }
            public long throttleMillis() { return 0; }
        };
        return new SigningConfig() {
            public Signing signing() { return signing; }
            public Registries registry() {
                SigningConfig.Registry r = new SigningConfig.Registry() {
                    public String address() { return "localhost:5000"; }
                    public URI url() { return URI.create("http://localhost:5000"); }
                    public Optional<String> username() { return Optional.empty(); }
                    public Optional<String> password() { return Optional.empty(); }
                    public Optional<String> caFile() { return Optional.empty(); }
                };
                return new Registries() {
                    public Registry candidate() { return r; }
                    public Registry production() { return r; }
                    public java.util.Map<String, Registry> targets() { return java.util.Map.of(); }
                };
            }
        };
    }
}
