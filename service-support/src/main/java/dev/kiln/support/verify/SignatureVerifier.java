package dev.kiln.support.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.events.ImageReference;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * Checks signatures of one image against given public keys, the way {@code kiln verify} (and cosign / containers/image)
 * do: a signature counts only when it verifies with one of the keys, names the image's digest and names a reference in
 * the image's repository. Pure logic: the caller fetches the bytes.
 */
public final class SignatureVerifier {
    private SignatureVerifier() {
    }

    /** One signature found: valid, or the sentence saying why not. */
    public record Finding(String format, String location, Optional<String> signedReference, Optional<String> keyId,
            Optional<String> problem) {
        public boolean valid() {
            return problem.isEmpty();
        }

        public String describe() {
            return (valid() ? "valid " : "INVALID ") + format + " signature at " + location
                    + signedReference.map(r -> " for " + r).orElse("") + keyId.map(k -> " by " + k).orElse("")
                    + problem.map(p -> ": " + p).orElse("");
        }
    }

    /**
     * The cosign signatures in a {@code sha256-<hex>.sig} manifest. {@code blob} reads a layer (payload) by digest.
     * {@code repository} is {@code registry/repository} of the image, {@code digest} its manifest digest.
     */
    public static List<Finding> cosign(byte[] sigManifest, Function<String, byte[]> blob, String repository, String digest,
            List<PublicKey> keys, String location) {
        List<Finding> findings = new ArrayList<>();
        List<JsonNode> layers;
        try {
            layers = CosignFormat.layers(sigManifest);
        } catch (IllegalArgumentException e) {
            return List.of(new Finding(CosignFormat.FORMAT, location, Optional.empty(), Optional.empty(),
                    Optional.of("the signature manifest cannot be read: " + e.getMessage())));
        }
        for (JsonNode layer : layers) {
            if (!CosignFormat.PAYLOAD_MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
                continue;
            }
            String signature = layer.path("annotations").path(CosignFormat.SIGNATURE_ANNOTATION).asText("");
            byte[] payload;
            try {
                payload = blob.apply(layer.path("digest").asText());
            } catch (RuntimeException e) {
                findings.add(new Finding(CosignFormat.FORMAT, location, Optional.empty(), Optional.empty(),
                        Optional.of("payload " + layer.path("digest").asText() + " cannot be read: " + e.getMessage())));
                continue;
            }
            Optional<CosignFormat.Identity> identity = CosignFormat.identity(payload);
            Optional<PublicKey> signer = keys.stream().filter(k -> CosignKeys.verify(k, payload, signature)).findFirst();
            Optional<String> keyId = signer.map(CosignKeys::keyId);
            findings.add(new Finding(CosignFormat.FORMAT, location, identity.map(CosignFormat.Identity::dockerReference), keyId,
                    problem(identity, signer.isPresent(), "no given cosign key verifies this signature", repository, digest)));
        }
        return findings;
    }

    /** One simple signature (an OpenPGP signed message) from a lookaside store. */
    public static Finding simpleSigning(byte[] signature, String repository, String digest, List<PGPPublicKeyRing> keys,
            String location) {
        OpenPgpVerifier.Verification v = OpenPgpVerifier.verify(signature, keys);
        Optional<CosignFormat.Identity> identity = v.payload().flatMap(SimpleSigningFormat::identity);
        if (!v.valid()) {
            return new Finding(SimpleSigningFormat.FORMAT, location, identity.map(CosignFormat.Identity::dockerReference),
                    v.signerKeyId(), v.problem());
        }
        return new Finding(SimpleSigningFormat.FORMAT, location, identity.map(CosignFormat.Identity::dockerReference),
                v.signerKeyId(), problem(identity, true, null, repository, digest));
    }

    private static Optional<String> problem(Optional<CosignFormat.Identity> identity, boolean verified, String notVerified,
            String repository, String digest) {
        if (identity.isEmpty()) {
            return Optional.of("the payload is not a container signature payload");
        }
        if (!verified) {
            return Optional.of(notVerified);
        }
        if (!identity.get().digest().equals(digest)) {
            return Optional.of("it signs another image (" + identity.get().digest() + "), not " + digest);
        }
        if (!repositoryOf(identity.get().dockerReference()).equals(Optional.of(repository))) {
            return Optional.of("it signs a name in another repository (" + identity.get().dockerReference() + "), not " + repository);
        }
        return Optional.empty();
    }

    /** {@code registry/repository} of a reference; empty for text that is not one (a forged payload). */
    private static Optional<String> repositoryOf(String reference) {
        try {
            return Optional.of(ImageReference.parse(reference).name());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
