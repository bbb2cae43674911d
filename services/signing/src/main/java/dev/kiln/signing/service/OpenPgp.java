package dev.kiln.signing.service;

import dev.kiln.support.keys.KeyFiles;
import dev.kiln.support.keys.KeyLoader;
import dev.kiln.signing.domain.OpenPgpKey;
import dev.kiln.support.verify.OpenPgpVerifier;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PGPDigestCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPDigestCalculatorProviderBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcePBESecretKeyEncryptorBuilder;

/**
 * OpenPGP with Bouncy Castle: key rings (load, generate, armor) and signed messages as {@code gpg --sign} makes them
 * (one-pass signature, literal data, signature), which is what containers/image reads as a simple signature.
 */
public final class OpenPgp {
    private OpenPgp() {
    }

    /** Loads the first key ring of an armored (or binary) secret key file and unlocks its primary key. */
    public static OpenPgpKey loadSecretKeyFile(Path file, Optional<char[]> passphrase) {
        KeyFiles.checkUsable(file, "OpenPGP key file");
        try {
            return unlock(Files.readAllBytes(file), passphrase, file.toString());
        } catch (IOException e) {
            throw new KeyLoader.KeyLoadException("OpenPGP key file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Unlocks the primary key of the first secret key ring in {@code secretRing} (armored or binary). */
    public static OpenPgpKey unlock(byte[] secretRing, Optional<char[]> passphrase, String origin) {
        PGPSecretKeyRing ring;
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(secretRing))) {
            Iterator<PGPSecretKeyRing> rings = new PGPSecretKeyRingCollection(in, new JcaKeyFingerprintCalculator()).getKeyRings();
            if (!rings.hasNext()) {
                throw new KeyLoader.KeyLoadException("OpenPGP key " + origin + " holds no secret key ring");
            }
            ring = rings.next();
        } catch (IOException | PGPException | RuntimeException e) {
            if (e instanceof KeyLoader.KeyLoadException k) {
                throw k;
            }
            throw new KeyLoader.KeyLoadException("OpenPGP key " + origin + " is not an OpenPGP secret key ring"
                    + " (expected -----BEGIN PGP PRIVATE KEY BLOCK-----): " + e.getMessage(), e);
        }
        PGPSecretKey primary = ring.getSecretKey();
        if (!primary.isSigningKey()) {
            throw new KeyLoader.KeyLoadException("OpenPGP key " + origin + " has a primary key that cannot sign; containers/image"
                    + " trusts only primary-key signatures, so use a key whose primary key signs (RSA, ECDSA or EdDSA)");
        }
        boolean encrypted = primary.getKeyEncryptionAlgorithm() != SymmetricKeyAlgorithmTags.NULL;
        if (encrypted && passphrase.isEmpty()) {
            throw new KeyLoader.KeyLoadException("OpenPGP key " + origin + " is encrypted but no passphrase is configured:"
                    + " set KILN_SIGNING_PASSPHRASE (or the key's own passphrase setting)");
        }
        PGPPrivateKey privateKey;
        try {
            privateKey = primary.extractPrivateKey(new JcePBESecretKeyDecryptorBuilder(
                    new JcaPGPDigestCalculatorProviderBuilder().setProvider(KeyLoader.BC).build())
                    .setProvider(KeyLoader.BC).build(passphrase.orElse(new char[0])));
        } catch (PGPException | RuntimeException e) {
            throw new KeyLoader.KeyLoadException("OpenPGP key " + origin + " cannot be unlocked with the configured passphrase"
                    + " (wrong passphrase?): " + e.getMessage(), e);
        }
        List<PGPPublicKey> publicKeys = new ArrayList<>();
        ring.getPublicKeys().forEachRemaining(publicKeys::add);
        PGPPublicKeyRing publicRing = new PGPPublicKeyRing(publicKeys);
        return new OpenPgpKey(fingerprint(publicRing.getPublicKey()), Optional.of(privateKey), publicRing, armor(publicRing), origin);
    }

    /** A public key ring (armored or binary), for verification only. */
    public static OpenPgpKey publicOnly(byte[] publicRing, String origin) {
        List<PGPPublicKeyRing> rings = publicRings(publicRing);
        if (rings.isEmpty()) {
            throw new KeyLoader.KeyLoadException("OpenPGP public key " + origin + " holds no key ring");
        }
        PGPPublicKeyRing ring = rings.get(0);
        return new OpenPgpKey(fingerprint(ring.getPublicKey()), Optional.empty(), ring, armor(ring), origin);
    }

    /** Every public key ring in {@code bytes} (armored or binary); empty when it holds none. */
    public static List<PGPPublicKeyRing> publicRings(byte[] bytes) {
        try {
            return OpenPgpVerifier.publicRings(bytes);
        } catch (IllegalArgumentException e) {
            throw new KeyLoader.KeyLoadException(e.getMessage(), e);
        }
    }

    /** A new RSA key ring (primary key certifies and signs) with {@code userId}, encrypted with {@code passphrase}. */
    public static byte[] generateSecretRing(String userId, char[] passphrase, int rsaBits) {
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", KeyLoader.BC);
            rsa.initialize(rsaBits);
            PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(), new Date());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setKeyFlags(false, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            hashed.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA256, HashAlgorithmTags.SHA512});
            hashed.setPreferredSymmetricAlgorithms(false, new int[] {SymmetricKeyAlgorithmTags.AES_256, SymmetricKeyAlgorithmTags.AES_128});
            hashed.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
            PGPDigestCalculator sha1 = new JcaPGPDigestCalculatorProviderBuilder().setProvider(KeyLoader.BC).build()
                    .get(HashAlgorithmTags.SHA1);
            PGPKeyRingGenerator generator = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId, sha1,
                    hashed.generate(), null,
                    new JcaPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256).setProvider(KeyLoader.BC),
                    new JcePBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256, sha1).setProvider(KeyLoader.BC).build(passphrase));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(out)) {
                generator.generateSecretKeyRing().encode(armored);
            }
            return out.toByteArray();
        } catch (GeneralSecurityException | PGPException | IOException e) {
            throw new IllegalStateException("cannot generate an OpenPGP key: " + e.getMessage(), e);
        }
    }

    public static String armor(PGPPublicKeyRing ring) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(out)) {
            ring.encode(armored, true);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** The v4 fingerprint, 40 upper-case hex digits. */
    public static String fingerprint(PGPPublicKey key) {
        return OpenPgpVerifier.fingerprint(key);
    }

    /** A binary OpenPGP signed message (not detached, not cleartext) over {@code payload}, by the primary key. */
    public static byte[] sign(OpenPgpKey key, byte[] payload, Date time) {
        PGPPrivateKey privateKey = key.privateKey().orElseThrow(() -> new IllegalStateException(key + " has no private key"));
        PGPPublicKey publicKey = key.publicKey();
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new JcaPGPContentSignerBuilder(publicKey.getAlgorithm(), HashAlgorithmTags.SHA256).setProvider(KeyLoader.BC), publicKey);
            generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, time);
            hashed.setIssuerFingerprint(false, publicKey);
            generator.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, publicKey.getKeyID());
            generator.setUnhashedSubpackets(unhashed.generate());

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (BCPGOutputStream out = new BCPGOutputStream(bytes)) {
                generator.generateOnePassVersion(false).encode(out);
                PGPLiteralDataGenerator literal = new PGPLiteralDataGenerator();
                try (OutputStream data = literal.open(out, PGPLiteralData.BINARY, "", payload.length, time)) {
                    data.write(payload);
                }
                generator.update(payload);
                generator.generate().encode(out);
            }
            return bytes.toByteArray();
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("cannot sign with OpenPGP key " + key.keyId() + ": " + e.getMessage(), e);
        }
    }
}
