package dev.kiln.support.verify;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** Cosign public keys: the key id, ECDSA P-256 / SHA-256 verification, and reading PEM public keys. */
public final class CosignKeys {
    /** One Bouncy Castle provider instance, passed explicitly: nothing is registered JVM-wide. */
    public static final Provider BC = new BouncyCastleProvider();
    public static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

    private CosignKeys() {
    }

    /** {@code SHA256:} + hex of the first 16 bytes of sha256(SubjectPublicKeyInfo DER). */
    public static String keyId(PublicKey publicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
            return "SHA256:" + HexFormat.of().formatHex(Arrays.copyOf(digest, 16));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code base64Signature} (DER ECDSA) over {@code payload} verifies with {@code publicKey}; false for anything malformed. */
    public static boolean verify(PublicKey publicKey, byte[] payload, String base64Signature) {
        try {
            Signature s = Signature.getInstance(SIGNATURE_ALGORITHM, BC);
            s.initVerify(publicKey);
            s.update(payload);
            return s.verify(Base64.getDecoder().decode(base64Signature));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** Every public key in a PEM text ({@code -----BEGIN PUBLIC KEY-----}); IllegalArgumentException when there is none. */
    public static List<PublicKey> parsePem(String pem) {
        List<PublicKey> keys = new ArrayList<>();
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof SubjectPublicKeyInfo info) {
                    keys.add(converter.getPublicKey(info));
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a PEM public key: " + e.getMessage(), e);
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no PEM public key (expected -----BEGIN PUBLIC KEY-----)");
        }
        return keys;
    }
}
