package dev.kiln.testsupport;

import dev.kiln.support.registry.RegistryClient;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/** Puts a tiny image (a config blob, one random layer, a Docker schema2 manifest) into a registry, for tests. */
public final class TinyImage {
    private TinyImage() {
    }

    /** Pushes {@code repository:tag} with a 512-byte layer; returns the manifest digest. */
    public static String push(RegistryClient registry, String repository, String tag) {
        return push(registry, repository, tag, 512);
    }

    /** Pushes {@code repository:tag} with a random layer of {@code layerSize} bytes; returns the manifest digest. */
    public static String push(RegistryClient registry, String repository, String tag, int layerSize) {
        byte[] layer = new byte[layerSize];
        new SecureRandom().nextBytes(layer);
        String layerDigest = RegistryClient.sha256(layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + layerDigest + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configDigest = RegistryClient.sha256(config);
        registry.putBlob(repository, layerDigest, layer);
        registry.putBlob(repository, configDigest, config);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + RegistryClient.DOCKER_MANIFEST + "\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":" + config.length
                + ",\"digest\":\"" + configDigest + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":" + layer.length
                + ",\"digest\":\"" + layerDigest + "\"}]}").getBytes(StandardCharsets.UTF_8);
        return registry.putManifest(repository, tag, manifest, RegistryClient.DOCKER_MANIFEST);
    }
}
