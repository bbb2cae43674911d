package dev.kiln.support.keys;

import java.security.PrivateKey;
import java.security.PublicKey;

/** The signing key pair with its public identity: {@code keyId} is {@code SHA256:} + hex of the SPKI digest (16 bytes). */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey, String keyId, String publicKeyPem) {
    public static final String ALGORITHM = "ECDSA-P256-SHA256";

    /** True when {@code id} names this key, with or without the {@code SHA256:} prefix. */
    public boolean matches(String id) {
        return keyId.equals(id) || keyId.substring("SHA256:".length()).equals(id);
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId + "]";
    }
}
