package dev.kiln.signing.service;

import dev.kiln.support.keys.KeyFiles;
import dev.kiln.support.keys.KeyLoader;
import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.support.keys.SigningKey;
import dev.kiln.signing.domain.StoredOpenPgpKey;
import dev.kiln.signing.store.SigningDatabase;
import dev.kiln.support.verify.CosignKeys;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * The service's keys, loaded at start-up (the service refuses to start without a usable cosign key): one active key
 * per format signs, older keys are kept for verification and served over HTTP (rotation).
 */
@Startup
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    static final String PROTECTED_BY_PASSPHRASE = "passphrase";
    static final String PROTECTED_BY_COSIGN = "cosign-key:";

    @Inject
    SigningConfig config;

    @Inject
    SigningDatabase database;

    private SigningKey cosign;
    private List<SigningKey> cosignKeys = List.of();
    private OpenPgpKey openPgp;
    private List<OpenPgpKey> openPgpKeys = List.of();

    /** A key file with the passphrase that opens it. */
    record KeySource(Path file, Optional<char[]> passphrase, boolean explicitActive) {
    }

    @PostConstruct
    void load() {
        SigningConfig.Signing s = config.signing();
        Optional<char[]> global = s.passphrase().filter(p -> !p.isEmpty()).map(String::toCharArray);
        List<KeySource> sources = new ArrayList<>();
        s.keyFile().filter(f -> !f.isBlank()).ifPresent(f -> sources.add(new KeySource(Path.of(f), global, true)));
        s.openpgpKeyFile().filter(f -> !f.isBlank()).ifPresent(f -> sources.add(new KeySource(Path.of(f), global, true)));
        for (SigningConfig.KeyEntry entry : s.keys().orElse(List.of())) {
            Optional<char[]> own = entry.passphrase().or(() -> entry.passphraseEnv().map(System::getenv))
                    .filter(p -> !p.isEmpty()).map(String::toCharArray);
            sources.add(new KeySource(Path.of(entry.file()), own.or(() -> global), false));
        }
        s.keyDir().filter(d -> !d.isBlank()).ifPresent(dir -> directory(Path.of(dir))
                .forEach(f -> sources.add(new KeySource(f, global, false))));

        List<SigningKey> cosigns = new ArrayList<>();
        List<OpenPgpKey> pgps = new ArrayList<>();
        SigningKey explicitCosign = null;
        OpenPgpKey explicitPgp = null;
        for (KeySource source : sources) {
            if (isOpenPgp(source.file())) {
                OpenPgpKey k = OpenPgp.loadSecretKeyFile(source.file(), source.passphrase());
                pgps.add(k);
                explicitPgp = source.explicitActive() ? k : explicitPgp;
            } else {
                SigningKey k = KeyLoader.load(source.file(), source.passphrase());
                cosigns.add(k);
                explicitCosign = source.explicitActive() ? k : explicitCosign;
            }
        }
        if (cosigns.isEmpty()) {
            throw new KeyLoader.KeyLoadException("no cosign signing key configured: set kiln.signing.key-file (env KILN_SIGNING_KEY_FILE)"
                    + " to a PKCS#8 PEM EC P-256 private key, or list keys in kiln.signing.keys / kiln.signing.key-dir");
        }
        List<String> active = s.activeKeys().orElse(List.of());
        cosign = choose(cosigns, explicitCosign, active, SigningKey::matches, SigningKey::toString);
        cosignKeys = List.copyOf(cosigns);

        if (pgps.isEmpty() && s.generateOpenpgpKey()) {
            pgps.add(generated(global));
        } else {
            // keys generated earlier stay valid for verification
            for (StoredOpenPgpKey stored : database.generatedOpenPgpKeys()) {
                if (pgps.stream().noneMatch(k -> k.keyId().equals(stored.fingerprint()))) {
                    pgps.add(0, OpenPgp.publicOnly(stored.armoredPublicKey().getBytes(StandardCharsets.US_ASCII), "database"));
                }
            }
        }
        List<OpenPgpKey> signingPgps = pgps.stream().filter(k -> k.privateKey().isPresent()).toList();
        if (!signingPgps.isEmpty()) {
            openPgp = choose(signingPgps, explicitPgp, active, OpenPgpKey::matches, OpenPgpKey::toString);
        } else {
            LOG.warn("no OpenPGP key: simple signatures are not made (configure kiln.signing.openpgp-key-file)");
        }
        openPgpKeys = List.copyOf(pgps);
        LOG.infof("cosign: signing with %s (%d key(s) in all); OpenPGP: %s (%d key(s) in all)", cosign.keyId(), cosignKeys.size(),
                openPgp == null ? "none" : openPgp.keyId() + " from " + openPgp.origin(), openPgpKeys.size());
    }

    /** The active key: named in {@code active-keys}, else the explicitly configured file, else the last one. */
    private static <K> K choose(List<K> keys, K explicit, List<String> active, java.util.function.BiPredicate<K, String> matches,
            java.util.function.Function<K, String> describe) {
        for (String id : active) {
            for (K k : keys) {
                if (matches.test(k, id) || describe.apply(k).contains(id)) {
                    return k;
                }
            }
        }
        return explicit != null ? explicit : keys.get(keys.size() - 1);
    }

    private static List<Path> directory(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new KeyLoader.KeyLoadException("key directory " + dir + " (kiln.signing.key-dir) does not exist");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().matches(".*\\.(pem|key|asc)$"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new KeyLoader.KeyLoadException("cannot list key directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isOpenPgp(Path file) {
        KeyFiles.checkUsable(file, "key file");
        try {
            String head = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
            return head.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----");
        } catch (IOException e) {
            throw new KeyLoader.KeyLoadException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The OpenPGP key generated on first start and kept encrypted in PostgreSQL: with KILN_SIGNING_PASSPHRASE when it
     * is set, otherwise with a passphrase derived from the active cosign key.
     */
    private OpenPgpKey generated(Optional<char[]> passphrase) {
        StoredOpenPgpKey stored = database.generatedOpenPgpKey(() -> {
            String protectedBy = passphrase.isPresent() ? PROTECTED_BY_PASSPHRASE : PROTECTED_BY_COSIGN + cosign.keyId();
            char[] secret = passphrase.orElseGet(() -> derivedPassphrase(cosign));
            byte[] ring = OpenPgp.generateSecretRing(config.signing().openpgpUserId(), secret, 3072);
            OpenPgpKey key = OpenPgp.unlock(ring, Optional.of(secret), "database");
            LOG.infof("no OpenPGP key configured: generated %s and stored it encrypted (protected by %s) in PostgreSQL",
                    key.keyId(), protectedBy);
            return new StoredOpenPgpKey(key.keyId(), new String(ring, StandardCharsets.US_ASCII), key.armoredPublicKey(),
                    protectedBy, Instant.now());
        });
        char[] secret;
        if (stored.protectedBy().startsWith(PROTECTED_BY_COSIGN)) {
            String keyId = stored.protectedBy().substring(PROTECTED_BY_COSIGN.length());
            SigningKey protector = cosignKeys.stream().filter(k -> k.keyId().equals(keyId)).findFirst()
                    .orElseThrow(() -> new KeyLoader.KeyLoadException("the OpenPGP key " + stored.fingerprint() + " stored in"
                            + " PostgreSQL is protected by cosign key " + keyId + ", which is no longer configured; keep that key"
                            + " in kiln.signing.keys (older keys stay valid) or configure kiln.signing.openpgp-key-file"));
            secret = derivedPassphrase(protector);
        } else {
            secret = passphrase.orElseThrow(() -> new KeyLoader.KeyLoadException("the OpenPGP key " + stored.fingerprint()
                    + " stored in PostgreSQL is encrypted with KILN_SIGNING_PASSPHRASE, which is not set"));
        }
        return OpenPgp.unlock(stored.armoredSecretKey().getBytes(StandardCharsets.US_ASCII), Optional.of(secret), "database");
    }

    /** HMAC-SHA256 of a fixed label under the cosign private scalar: a secret only the holder of that key can compute. */
    static char[] derivedPassphrase(SigningKey key) {
        try {
            byte[] d = ((org.bouncycastle.jce.interfaces.ECPrivateKey) key.privateKey()).getD().toByteArray();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(d, "HmacSHA256"));
            byte[] out = mac.doFinal("kiln-signing openpgp key protection v1".getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(out).toCharArray();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The active cosign key. */
    public SigningKey current() {
        return cosign;
    }

    /** Every cosign key (the active one and older ones kept for verification). */
    public List<SigningKey> all() {
        return cosignKeys;
    }

    /** The active OpenPGP key, when there is one. */
    public Optional<OpenPgpKey> currentOpenPgp() {
        return Optional.ofNullable(openPgp);
    }

    public List<OpenPgpKey> openPgpKeys() {
        return openPgpKeys;
    }

    /** ECDSA P-256 over SHA-256 of {@code payload} with the active cosign key, DER-encoded, in base64. */
    public String sign(byte[] payload) {
        try {
            Signature s = Signature.getInstance(SIGNATURE_ALGORITHM, KeyLoader.BC);
            s.initSign(cosign.privateKey());
            s.update(payload);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + cosign.keyId() + ": " + e.getMessage(), e);
        }
    }

    /** An OpenPGP signed message over {@code payload} with the active OpenPGP key. */
    public byte[] signOpenPgp(byte[] payload, Instant time) {
        return OpenPgp.sign(currentOpenPgp().orElseThrow(() -> new IllegalStateException("no OpenPGP key")), payload,
                Date.from(time));
    }

    /** Whether {@code base64Signature} over {@code payload} verifies with the active cosign key; false for anything malformed. */
    public boolean verifies(byte[] payload, String base64Signature) {
        return verify(cosign.publicKey(), payload, base64Signature);
    }

    public static boolean verify(PublicKey publicKey, byte[] payload, String base64Signature) {
        return CosignKeys.verify(publicKey, payload, base64Signature);
    }
}
