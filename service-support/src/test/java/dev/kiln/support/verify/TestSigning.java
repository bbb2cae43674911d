package dev.kiln.support.verify;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.List;
import org.bouncycastle.bcpg.BCPGOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPLiteralData;
import org.bouncycastle.openpgp.PGPLiteralDataGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPKeyPair;

/** The minimum of the signing side the tests need (the real signer lives in services/signing). */
final class TestSigning {
    private TestSigning() {
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", CosignKeys.BC);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    record PgpKey(PGPKeyPair pair, PGPPublicKeyRing publicRing) {
        String keyId() {
            return OpenPgpVerifier.fingerprint(pair.getPublicKey());
        }
    }

    /** A bare RSA primary key (no user id): enough for signing and verifying messages. */
    static PgpKey pgpKey() throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA", CosignKeys.BC);
        rsa.initialize(2048);
        PGPKeyPair pair = new JcaPGPKeyPair(PublicKeyAlgorithmTags.RSA_GENERAL, rsa.generateKeyPair(), new Date());
        return new PgpKey(pair, new PGPPublicKeyRing(List.of(pair.getPublicKey())));
    }

    /** A binary signed message (one-pass signature, literal data, signature), as gpg --sign makes it. */
    static byte[] pgpSign(PgpKey key, byte[] payload) throws Exception {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(new JcaPGPContentSignerBuilder(
                key.pair().getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256).setProvider(CosignKeys.BC), key.pair().getPublicKey());
        generator.init(PGPSignature.BINARY_DOCUMENT, key.pair().getPrivateKey());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (BCPGOutputStream out = new BCPGOutputStream(bytes)) {
            generator.generateOnePassVersion(false).encode(out);
            try (OutputStream data = new PGPLiteralDataGenerator().open(out, PGPLiteralData.BINARY, "", payload.length, new Date())) {
                data.write(payload);
            }
            generator.update(payload);
            generator.generate().encode(out);
        }
        return bytes.toByteArray();
    }
}
