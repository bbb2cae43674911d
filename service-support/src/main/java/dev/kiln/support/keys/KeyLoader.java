package dev.kiln.support.keys;

import dev.kiln.support.verify.CosignKeys;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.ECNamedCurveTable;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.jce.spec.ECParameterSpec;
import org.bouncycastle.jce.spec.ECPublicKeySpec;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads a cosign signing key: a PKCS#8 PEM EC P-256 private key, plain ({@code BEGIN PRIVATE KEY}) or encrypted
 * ({@code BEGIN ENCRYPTED PRIVATE KEY}); a traditional {@code BEGIN EC PRIVATE KEY} file is accepted too. The public key is derived from the private one.
 */
public final class KeyLoader {
    /** One Bouncy Castle provider instance, passed explicitly: nothing is registered JVM-wide. */
    public static final Provider BC = CosignKeys.BC;
    private static final String CURVE = "secp256r1";

    private KeyLoader() {
    }

    /** Thrown with a sentence an operator can act on. */
    public static class KeyLoadException extends RuntimeException {
        public KeyLoadException(String message) {
            super(message);
        }

        public KeyLoadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Loads an unencrypted key (or fails with a sentence when it is encrypted). */
    public static SigningKey load(Path file) {
        return load(file, java.util.Optional.empty());
    }

    /**
     * Loads a PKCS#8 PEM key, unencrypted or encrypted ({@code BEGIN ENCRYPTED PRIVATE KEY}, decrypted with
     * {@code passphrase}); refuses world-readable files.
     */
    public static SigningKey load(Path file, java.util.Optional<char[]> passphrase) {
        return load(file, passphrase, "kiln.signing.key-file / KILN_SIGNING_KEY_FILE");
    }

    /** As {@link #load(Path, java.util.Optional)}, naming {@code setting} as where the key file is configured. */
    public static SigningKey load(Path file, java.util.Optional<char[]> passphrase, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new KeyLoadException("signing key file " + file + " does not exist (set " + setting
                    + " to a PKCS#8 PEM EC P-256 private key, e.g. made with `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256`)");
        }
        KeyFiles.checkUsable(file, "signing key file");
        Object parsed;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser parser = new PEMParser(reader)) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new KeyLoadException("signing key file " + file + " is not a PEM file: " + e.getMessage(), e);
        }
        if (parsed == null) {
            throw new KeyLoadException("signing key file " + file + " holds no PEM object (expected -----BEGIN PRIVATE KEY-----)");
        }
        if (parsed instanceof PEMEncryptedKeyPair) {
            throw new KeyLoadException("signing key file " + file + " is an OpenSSL-encrypted traditional key; convert it to an"
                    + " encrypted PKCS#8 key with `openssl pkcs8 -topk8 -v2 aes-256-cbc -in " + file + "`");
        }
        if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            char[] secret = passphrase.orElseThrow(() -> new KeyLoadException("signing key file " + file + " is encrypted but no"
                    + " passphrase is configured: set KILN_SIGNING_PASSPHRASE (or the key's own passphrase setting)"));
            try {
                parsed = encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(secret));
            } catch (OperatorCreationException | PKCSException | RuntimeException e) {
                throw new KeyLoadException("signing key file " + file + " cannot be decrypted with the configured passphrase"
                        + " (wrong passphrase or unsupported encryption): " + e.getMessage(), e);
            }
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(BC);
        PrivateKey privateKey;
        try {
            if (parsed instanceof PrivateKeyInfo info) {
                privateKey = converter.getPrivateKey(info);
            } else if (parsed instanceof PEMKeyPair pair) {
                privateKey = converter.getKeyPair(pair).getPrivate();
            } else {
                throw new KeyLoadException("signing key file " + file + " holds a " + parsed.getClass().getSimpleName()
                        + ", not a private key (expected -----BEGIN PRIVATE KEY-----)");
            }
        } catch (IOException e) {
            throw new KeyLoadException("signing key file " + file + " holds an unreadable key: " + e.getMessage(), e);
        }
        return fromPrivateKey(privateKey, file.toString());
    }

    /** Checks that {@code privateKey} is on P-256 and derives the public key and the key id. */
    public static SigningKey fromPrivateKey(PrivateKey privateKey, String origin) {
        if (!(privateKey instanceof org.bouncycastle.jce.interfaces.ECPrivateKey ec)) {
            throw new KeyLoadException("signing key " + origin + " is a " + privateKey.getAlgorithm() + " key; an EC P-256 key is required");
        }
        ECNamedCurveParameterSpec p256 = ECNamedCurveTable.getParameterSpec(CURVE);
        ECParameterSpec params = ec.getParameters();
        if (params == null || !params.getCurve().equals(p256.getCurve()) || !params.getG().equals(p256.getG())) {
            throw new KeyLoadException("signing key " + origin + " is not on the P-256 curve (secp256r1/prime256v1)");
        }
        try {
            PublicKey publicKey = KeyFactory.getInstance("EC", BC)
                    .generatePublic(new ECPublicKeySpec(p256.getG().multiply(ec.getD()).normalize(), p256));
            return new SigningKey(privateKey, publicKey, keyId(publicKey), pem(publicKey));
        } catch (java.security.GeneralSecurityException e) {
            throw new KeyLoadException("cannot derive the public key of " + origin + ": " + e.getMessage(), e);
        }
    }

    /** {@code SHA256:} + hex of the first 16 bytes of sha256(SubjectPublicKeyInfo DER). */
    public static String keyId(PublicKey publicKey) {
        return CosignKeys.keyId(publicKey);
    }

    public static String pem(PublicKey publicKey) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(publicKey);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
