package dev.kiln.support.verify;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.openpgp.PGPCompressedData;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPOnePassSignature;
import org.bouncycastle.openpgp.PGPOnePassSignatureList;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.jcajce.JcaPGPObjectFactory;
import org.bouncycastle.openpgp.operator.jcajce.JcaKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;

/**
 * Verification of OpenPGP signed messages as {@code gpg --sign} makes them (one-pass signature, literal data,
 * signature), which is what containers/image reads as a simple signature; and reading public key rings.
 */
public final class OpenPgpVerifier {
    private OpenPgpVerifier() {
    }

    /** What a signed message held and who signed it; {@code problem} says why it is not valid (empty when valid). */
    public record Verification(Optional<byte[]> payload, Optional<String> signerKeyId, Optional<String> problem) {
        public boolean valid() {
            return problem.isEmpty();
        }

        static Verification invalid(String problem) {
            return new Verification(Optional.empty(), Optional.empty(), Optional.of(problem));
        }
    }

    /** The v4 fingerprint, 40 upper-case hex digits. */
    public static String fingerprint(PGPPublicKey key) {
        return HexFormat.of().withUpperCase().formatHex(key.getFingerprint());
    }

    /** Every public key ring in {@code bytes} (armored or binary); IllegalArgumentException when unreadable. */
    public static List<PGPPublicKeyRing> publicRings(byte[] bytes) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
            List<PGPPublicKeyRing> rings = new ArrayList<>();
            new PGPPublicKeyRingCollection(in, new JcaKeyFingerprintCalculator()).getKeyRings().forEachRemaining(rings::add);
            return rings;
        } catch (IOException | PGPException | RuntimeException e) {
            throw new IllegalArgumentException("not an OpenPGP public key: " + e.getMessage(), e);
        }
    }

    /**
     * Verifies a signed message against {@code trusted} key rings. Valid only when the message is one-pass signature,
     * literal data, signature (optionally compressed), the issuer is one of {@code trusted} and the signature verifies.
     */
    public static Verification verify(byte[] message, List<PGPPublicKeyRing> trusted) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(message))) {
            JcaPGPObjectFactory factory = new JcaPGPObjectFactory(in);
            Object next = factory.nextObject();
            if (next instanceof PGPCompressedData compressed) {
                factory = new JcaPGPObjectFactory(compressed.getDataStream());
                next = factory.nextObject();
            }
            if (!(next instanceof PGPOnePassSignatureList onePassList) || onePassList.size() != 1) {
                return Verification.invalid("not an OpenPGP signed message with exactly one signature");
            }
            PGPOnePassSignature onePass = onePassList.get(0);
            if (!(factory.nextObject() instanceof PGPLiteralData literal)) {
                return Verification.invalid("the signed message holds no literal data");
            }
            byte[] payload = literal.getInputStream().readAllBytes();
            if (!(factory.nextObject() instanceof PGPSignatureList signatures) || signatures.size() != 1) {
                return Verification.invalid("the signed message has no signature after its data");
            }
            PGPPublicKey signer = null;
            for (PGPPublicKeyRing ring : trusted) {
                PGPPublicKey candidate = ring.getPublicKey(onePass.getKeyID());
                if (candidate != null) {
                    signer = candidate;
                    break;
                }
            }
            String issuer = String.format(Locale.ROOT, "%016X", onePass.getKeyID());
            if (signer == null) {
                return new Verification(Optional.of(payload), Optional.of(issuer),
                        Optional.of("signed by key " + issuer + ", which is not among the given public keys"));
            }
            onePass.init(new JcaPGPContentVerifierBuilderProvider().setProvider(CosignKeys.BC), signer);
            onePass.update(payload);
            String fingerprint = fingerprint(signer);
            if (!onePass.verify(signatures.get(0))) {
                return new Verification(Optional.of(payload), Optional.of(fingerprint),
                        Optional.of("the OpenPGP signature by " + fingerprint + " does not match the signed data"));
            }
            return new Verification(Optional.of(payload), Optional.of(fingerprint), Optional.empty());
        } catch (IOException | PGPException | RuntimeException e) {
            return Verification.invalid("not a readable OpenPGP message: " + e.getMessage());
        }
    }
}
