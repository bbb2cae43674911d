package dev.kiln.support.attest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.verify.CosignFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * cosign's attestation layout: the DSSE envelopes about an image are the layers of an OCI manifest tagged
 * {@code sha256-<hex>.att} in the image's repository, each of media type
 * {@code application/vnd.dsse.envelope.v1+json} with the annotations {@code predicateType} and an empty
 * {@code dev.cosignproject.cosign/signature} (the signature is inside the envelope), under the same config as a
 * {@code .sig} manifest. {@code cosign verify-attestation} and {@code cosign download attestation} read it so.
 */
public final class Attestations {
    public static final String ENVELOPE_MEDIA_TYPE = "application/vnd.dsse.envelope.v1+json";
    public static final String PREDICATE_TYPE_ANNOTATION = "predicateType";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Attestations() {
    }

    /** One attestation as stored: its predicate type (the layer's annotation) and its envelope. */
    public record Attached(String predicateType, String layerDigest, Dsse.Envelope envelope) {
    }

    /** {@code sha256-<hex>.att} for the image digest {@code sha256:<hex>}. */
    public static String tag(String digest) {
        if (!digest.startsWith("sha256:")) {
            throw new IllegalArgumentException("not a sha256 digest: " + digest);
        }
        return "sha256-" + digest.substring("sha256:".length()) + ".att";
    }

    /**
     * Adds {@code envelope} as a layer of {@code repository}'s {@code .att} manifest for {@code digest} (made when
     * there is none). An envelope already there, byte for byte, is not added again, so a repeated event changes
     * nothing. Returns whether a layer was added.
     */
    public static boolean attach(RegistryClient registry, String repository, String digest, Dsse.Envelope envelope,
            String predicateType) {
        byte[] blob = envelope.json();
        String blobDigest = RegistryClient.sha256(blob);
        Optional<RegistryClient.Manifest> existing = registry.getManifest(repository, tag(digest));
        List<JsonNode> layers = new ArrayList<>(existing.map(m -> CosignFormat.layers(m.bytes())).orElse(List.of()));
        if (layers.stream().anyMatch(l -> blobDigest.equals(l.path("digest").asText()))) {
            return false;
        }
        if (!registry.blobExists(repository, blobDigest)) {
            registry.putBlob(repository, blobDigest, blob);
        }
        ObjectNode layer = JSON.createObjectNode();
        layer.put("mediaType", ENVELOPE_MEDIA_TYPE);
        layer.put("size", blob.length);
        layer.put("digest", blobDigest);
        layer.putObject("annotations").put(CosignFormat.SIGNATURE_ANNOTATION, "")
                .put(PREDICATE_TYPE_ANNOTATION, predicateType);
        layers.add(layer);
        byte[] config = CosignFormat.config(layers.stream().map(l -> l.path("digest").asText()).toList());
        String configDigest = RegistryClient.sha256(config);
        if (!registry.blobExists(repository, configDigest)) {
            registry.putBlob(repository, configDigest, config);
        }
        registry.putManifest(repository, tag(digest), CosignFormat.manifest(config, layers), RegistryClient.OCI_MANIFEST);
        return true;
    }

    /**
     * The attestations stored for {@code repository@digest}, in layer order; none when there is no {@code .att} tag.
     * A layer that is not a readable envelope is skipped (a verifier finds nothing valid in it either).
     */
    public static List<Attached> read(RegistryClient registry, String repository, String digest) {
        Optional<RegistryClient.Manifest> manifest = registry.getManifest(repository, tag(digest));
        if (manifest.isEmpty()) {
            return List.of();
        }
        List<Attached> out = new ArrayList<>();
        for (JsonNode layer : CosignFormat.layers(manifest.get().bytes())) {
            if (!ENVELOPE_MEDIA_TYPE.equals(layer.path("mediaType").asText())) {
                continue;
            }
            String layerDigest = layer.path("digest").asText();
            try {
                out.add(new Attached(layer.path("annotations").path(PREDICATE_TYPE_ANNOTATION).asText(""), layerDigest,
                        Dsse.parse(registry.getBlob(repository, layerDigest))));
            } catch (IllegalArgumentException e) {
                // not an envelope: nothing in it can be verified
            }
        }
        return out;
    }
}
