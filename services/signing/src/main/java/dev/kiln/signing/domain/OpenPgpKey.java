package dev.kiln.signing.domain;

import java.util.Optional;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * An OpenPGP key: {@code keyId} is the primary key's v4 fingerprint (40 upper-case hex digits), which is what
 * containers/image reports as the signer. {@code privateKey} is empty for keys kept only for verification.
 */
public record OpenPgpKey(String keyId, Optional<PGPPrivateKey> privateKey, PGPPublicKeyRing publicRing,
        String armoredPublicKey, String origin) {
    public static final String ALGORITHM = "OpenPGP";

    public PGPPublicKey publicKey() {
        return publicRing.getPublicKey();
    }

    /** True when {@code id} names this key: the fingerprint, or its last 16 hex digits (the long key id), any case. */
    public boolean matches(String id) {
        String normalized = id.replace(" ", "").toUpperCase(java.util.Locale.ROOT);
        return keyId.equals(normalized) || (normalized.length() == 16 && keyId.endsWith(normalized));
    }

    @Override
    public String toString() {
        return "OpenPgpKey[" + keyId + "]";
    }
}
