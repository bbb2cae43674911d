package dev.kiln.support.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.support.registry.RegistryClient;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The cosign "simple signing" layout: a JSON payload per signed name, stored as layers of an OCI image manifest tagged
 * {@code sha256-<hex>.sig}, each layer carrying its signature as the {@code dev.cosignproject.cosign/signature}
 * annotation.
 */
public final class CosignFormat {
    public static final String PAYLOAD_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    public static final String SIGNATURE_ANNOTATION = "dev.cosignproject.cosign/signature";
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
    public static final String SIGNATURE_TYPE = "cosign container image signature";
    public static final String CREATOR = "kiln-signing";
    public static final String FORMAT = "cosign";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CosignFormat() {
    }

    /** The signed payload, serialised once: these bytes are the layer blob and what the signature covers. */
    public static byte[] payload(String dockerReference, String digest, Instant time) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", dockerReference);
        critical.putObject("image").put("docker-manifest-digest", digest);
        critical.put("type", SIGNATURE_TYPE);
        ObjectNode optional = root.putObject("optional");
        optional.put("creator", CREATOR);
        optional.put("timestamp", time.getEpochSecond());
        return bytes(root);
    }

    /** What a payload names. */
    public record Identity(String dockerReference, String digest) {
    }

    /** Reads the identity of a payload; empty when it is not a cosign simple-signing payload. */
    public static Optional<Identity> identity(byte[] payload) {
        try {
            JsonNode critical = JSON.readTree(payload).path("critical");
            String reference = critical.path("identity").path("docker-reference").asText(null);
            String digest = critical.path("image").path("docker-manifest-digest").asText(null);
            if (reference == null || digest == null || !SIGNATURE_TYPE.equals(critical.path("type").asText())) {
                return Optional.empty();
            }
            return Optional.of(new Identity(reference, digest));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** One layer descriptor for a payload and its base64 signature. */
    public static ObjectNode layer(byte[] payload, String signature) {
        ObjectNode layer = JSON.createObjectNode();
        layer.put("mediaType", PAYLOAD_MEDIA_TYPE);
        layer.put("size", payload.length);
        layer.put("digest", RegistryClient.sha256(payload));
        layer.putObject("annotations").put(SIGNATURE_ANNOTATION, signature);
        return layer;
    }

    /** The config blob: one diff id per layer (the payloads are not compressed, so a diff id is the layer digest). */
    public static byte[] config(List<String> diffIds) {
        ObjectNode root = JSON.createObjectNode();
        root.put("architecture", "");
        root.putObject("config");
        root.put("created", "0001-01-01T00:00:00Z");
        root.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
        root.put("os", "");
        ObjectNode rootfs = root.putObject("rootfs");
        rootfs.put("type", "layers");
        ArrayNode ids = rootfs.putArray("diff_ids");
        diffIds.forEach(ids::add);
        return bytes(root);
    }

    /** The OCI image manifest of the {@code .sig} tag. */
    public static byte[] manifest(byte[] config, List<JsonNode> layers) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", RegistryClient.OCI_MANIFEST);
        ObjectNode c = root.putObject("config");
        c.put("mediaType", CONFIG_MEDIA_TYPE);
        c.put("size", config.length);
        c.put("digest", RegistryClient.sha256(config));
        ArrayNode l = root.putArray("layers");
        layers.forEach(l::add);
        return bytes(root);
    }

    /** The layers of an existing {@code .sig} manifest, unchanged. */
    public static List<JsonNode> layers(byte[] manifest) {
        try {
            JsonNode layers = JSON.readTree(manifest).path("layers");
            if (!layers.isArray()) {
                throw new IllegalArgumentException("the signature manifest has no layers array");
            }
            return List.copyOf(iterable(layers));
        } catch (IOException e) {
            throw new IllegalArgumentException("the signature manifest is not JSON: " + e.getMessage(), e);
        }
    }

    private static List<JsonNode> iterable(JsonNode array) {
        java.util.ArrayList<JsonNode> list = new java.util.ArrayList<>();
        array.forEach(list::add);
        return list;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
