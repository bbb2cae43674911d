package dev.kiln.signing.service;

import dev.kiln.signing.config.SigningConfig;
import dev.kiln.signing.domain.SigningKey;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import org.jboss.logging.Logger;

/** The service's signing key, loaded at start-up: the service refuses to start without a usable key. */
@Startup
@ApplicationScoped
public class SigningKeys {
    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    @Inject
    SigningConfig config;

    private SigningKey key;

    @PostConstruct
    void load() {
        String file = config.signing().keyFile().filter(f -> !f.isBlank())
                .orElseThrow(() -> new KeyLoader.KeyLoadException("no signing key configured: set kiln.signing.key-file"
                        + " (env KILN_SIGNING_KEY_FILE) to a PKCS#8 PEM EC P-256 private key"));
        key = KeyLoader.load(Path.of(file));
        LOG.infof("signing with key %s from %s", key.keyId(), file);
    }

    public SigningKey current() {
        return key;
    }

    public List<SigningKey> all() {
        return List.of(key);
    }

    /** ECDSA P-256 over SHA-256 of {@code payload}, DER-encoded, in base64. */
    public String sign(byte[] payload) {
        try {
            Signature s = Signature.getInstance(SIGNATURE_ALGORITHM, KeyLoader.BC);
            s.initSign(key.privateKey());
            s.update(payload);
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + key.keyId() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code base64Signature} over {@code payload} verifies with our public key; false for anything malformed. */
    public boolean verifies(byte[] payload, String base64Signature) {
        return verify(key.publicKey(), payload, base64Signature);
    }

    public static boolean verify(PublicKey publicKey, byte[] payload, String base64Signature) {
        try {
            Signature s = Signature.getInstance(SIGNATURE_ALGORITHM, KeyLoader.BC);
            s.initVerify(publicKey);
            s.update(payload);
            return s.verify(Base64.getDecoder().decode(base64Signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }
}
