package dev.kiln.release;

import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.TinyImage;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** Puts tiny images (config blob, one random layer, Docker schema2 manifest) and their attachments into a registry. */
final class TestImages {
    static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    private TestImages() {
    }

    /** Returns the manifest digest. */
    static String push(RegistryClient registry, String repository, String tag) {
        return push(registry, repository, tag, 512);
    }

    static String push(RegistryClient registry, String repository, String tag, int layerSize) {
        return TinyImage.push(registry, repository, tag, layerSize);
    }

    /**
     * Appends a cosign-format signature layer for {@code identity} to the {@code sha256-<hex>.sig} manifest (made when
     * absent), as the signing service does; the signature annotation is a placeholder.
     */
    static void attachSignature(RegistryClient registry, String repository, String digest, String identity) {
        String tag = digest.replace(':', '-') + ".sig";
        byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + identity + "\"},\"image\":{"
                + "\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":{\"nonce\":\"" + new SecureRandom().nextLong() + "\"}}").getBytes(StandardCharsets.UTF_8);
        String payloadDigest = RegistryClient.sha256(payload);
        registry.putBlob(repository, payloadDigest, payload);
        String layer = "{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"size\":" + payload.length
                + ",\"digest\":\"" + payloadDigest + "\",\"annotations\":{\"dev.cosignproject.cosign/signature\":\"c2ln\"}}";
        String layers = registry.getManifest(repository, tag).map(m -> {
            String json = new String(m.bytes(), StandardCharsets.UTF_8);
            String existing = json.substring(json.indexOf("\"layers\":[") + 10, json.lastIndexOf(']'));
            return existing + "," + layer;
        }).orElse(layer);
        String diffIds = java.util.regex.Pattern.compile("\"digest\":\"(sha256:[0-9a-f]{64})\"").matcher(layers).results()
                .map(r -> "\"" + r.group(1) + "\"").reduce((a, b) -> a + "," + b).orElse("");
        byte[] config = ("{\"architecture\":\"\",\"config\":{},\"os\":\"\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds + "]}}").getBytes(StandardCharsets.UTF_8);
        registry.putBlob(repository, RegistryClient.sha256(config), config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"size\":" + config.length + ",\"digest\":\""
                + RegistryClient.sha256(config) + "\"},\"layers\":[" + layers + "]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(repository, tag, manifest, RegistryClient.OCI_MANIFEST);
    }

    /** An SPDX SBOM as cosign attaches it: tag {@code sha256-<hex>.sbom}. Returns its manifest digest. */
    static String attachSbom(RegistryClient registry, String repository, String digest) {
        return artifact(registry, repository, digest.replace(':', '-') + ".sbom", "text/spdx+json",
                ("{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"" + digest + "\"}").getBytes(StandardCharsets.UTF_8), null);
    }

    /**
     * An OCI 1.1 referrer (an artifact whose {@code subject} is the image) listed in the referrers tag schema index
     * {@code sha256-<hex>}, as clients write it on registries without the referrers API. Returns the referrer's digest.
     */
    static String attachReferrersIndex(RegistryClient registry, String repository, String digest) {
        String referrer = artifact(registry, repository, null, "application/vnd.example.report+json",
                "{\"report\":\"ok\"}".getBytes(StandardCharsets.UTF_8), digest);
        int size = registry.getManifest(repository, referrer).orElseThrow().bytes().length;
        byte[] index = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + RegistryClient.OCI_MANIFEST + "\",\"size\":" + size + ",\"digest\":\"" + referrer
                + "\",\"artifactType\":\"application/vnd.example.report+json\"}]}").getBytes(StandardCharsets.UTF_8);
        registry.putManifest(repository, digest.replace(':', '-'), index, RegistryClient.OCI_INDEX);
        return referrer;
    }

    private static String artifact(RegistryClient registry, String repository, String tag, String layerType, byte[] content,
            String subject) {
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        registry.putBlob(repository, RegistryClient.sha256(empty), empty);
        registry.putBlob(repository, RegistryClient.sha256(content), content);
        String subjectField = "";
        if (subject != null) {
            int size = registry.getManifest(repository, subject).orElseThrow().bytes().length;
            subjectField = ",\"subject\":{\"mediaType\":\"" + RegistryClient.DOCKER_MANIFEST + "\",\"size\":" + size
                    + ",\"digest\":\"" + subject + "\"}";
        }
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + OCI_EMPTY + "\",\"size\":2,\"digest\":\"" + RegistryClient.sha256(empty) + "\"},\"layers\":[{\"mediaType\":\""
                + layerType + "\",\"size\":" + content.length + ",\"digest\":\"" + RegistryClient.sha256(content) + "\"}]"
                + subjectField + "}").getBytes(StandardCharsets.UTF_8);
        String manifestDigest = RegistryClient.sha256(manifest);
        return registry.putManifest(repository, tag == null ? manifestDigest : tag, manifest, RegistryClient.OCI_MANIFEST);
    }
}
