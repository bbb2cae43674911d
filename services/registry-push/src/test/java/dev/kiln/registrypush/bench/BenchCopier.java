package dev.kiln.registrypush.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The promotion copy of the release service (services/release {@code ImageCopier}: blobs skipped when present,
 * mounted within one registry, else streamed through a temporary file with their digest checked; the manifest bytes
 * put unchanged) for single-image manifests, on the same shared {@link RegistryClient}. A copy because a service
 * cannot depend on another service's module; it goes once the copier lives in service-support.
 */
final class BenchCopier {
    private static final ObjectMapper JSON = new ObjectMapper();

    private BenchCopier() {
    }

    static String copy(RegistryClient from, String fromRepository, String reference, RegistryClient to, String toRepository,
            List<String> tags) throws IOException {
        RegistryClient.Manifest manifest = from.getManifest(fromRepository, reference)
                .orElseThrow(() -> new IllegalStateException(fromRepository + ":" + reference + " is not in " + from.registry()));
        JsonNode root = JSON.readTree(manifest.bytes());
        List<String> blobs = new ArrayList<>();
        blobs.add(root.path("config").path("digest").asText());
        root.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        for (String blob : blobs) {
            if (to.blobExists(toRepository, blob)) {
                continue;
            }
            if (from.registry().equals(to.registry()) && to.mountBlob(toRepository, fromRepository, blob)) {
                continue;
            }
            Path temp = Files.createTempFile("kiln-bench-blob-", ".bin");
            try {
                from.downloadBlob(fromRepository, blob, temp);
                to.putBlob(toRepository, blob, temp);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        for (String tag : tags) {
            to.putManifest(toRepository, tag, manifest.bytes(), manifest.mediaType());
        }
        RegistryClient.Manifest copied = to.getManifest(toRepository, manifest.digest())
                .orElseThrow(() -> new RegistryException("copy not found", false));
        if (!copied.digest().equals(manifest.digest())) {
            throw new IllegalStateException("digest changed: " + manifest.digest() + " -> " + copied.digest());
        }
        return manifest.digest();
    }
}
