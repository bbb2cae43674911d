package dev.kiln.release.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Digest-preserving copy of one image between registries: blobs first (skipped when present, mounted within one
 * registry, else streamed through a temporary file), then the unchanged manifest bytes under each tag, then a check
 * that the target serves the same digest. Manifest lists / OCI indexes are copied with their child manifests.
 */
public final class ImageCopier {
    private static final Logger LOG = Logger.getLogger(ImageCopier.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private ImageCopier() {
    }

    public static void copy(RegistryClient from, String fromRepository, String digest, RegistryClient to, String toRepository,
            List<String> tags) {
        RegistryClient.Manifest manifest = from.getManifest(fromRepository, digest).orElseThrow(() -> new RegistryException(
                "manifest " + fromRepository + "@" + digest + " is not in " + from.registry(), false, 404));
        if (!manifest.digest().equals(digest)) {
            throw new RegistryException(from.registry() + " served " + fromRepository + "@" + digest + " with digest "
                    + manifest.digest(), false);
        }
        copyContent(from, fromRepository, to, toRepository, manifest);
        for (String tag : tags) {
            to.putManifest(toRepository, tag, manifest.bytes(), manifest.mediaType());
        }
        RegistryClient.Manifest copied = to.getManifest(toRepository, digest).orElseThrow(() -> new RegistryException(
                "after the copy " + to.registry() + " does not serve " + toRepository + "@" + digest, true, 404));
        if (!RegistryClient.sha256(copied.bytes()).equals(digest)) {
            throw new RegistryException(to.registry() + " serves " + toRepository + "@" + digest + " with other bytes (digest "
                    + RegistryClient.sha256(copied.bytes()) + ")", false);
        }
    }

    private static void copyContent(RegistryClient from, String fromRepository, RegistryClient to, String toRepository,
            RegistryClient.Manifest manifest) {
        JsonNode root = parse(manifest);
        if (root.has("manifests")) {
            for (JsonNode child : root.path("manifests")) {
                String childDigest = child.path("digest").asText();
                RegistryClient.Manifest childManifest = from.getManifest(fromRepository, childDigest).orElseThrow(() ->
                        new RegistryException("child manifest " + fromRepository + "@" + childDigest + " is not in " + from.registry(), false, 404));
                copyContent(from, fromRepository, to, toRepository, childManifest);
                if (!to.manifestExists(toRepository, childDigest)) {
                    to.putManifest(toRepository, childDigest, childManifest.bytes(), childManifest.mediaType());
                }
            }
            return;
        }
        List<String> blobs = new ArrayList<>();
        if (root.path("config").hasNonNull("digest")) {
            blobs.add(root.path("config").path("digest").asText());
        }
        root.path("layers").forEach(l -> blobs.add(l.path("digest").asText()));
        for (String blob : blobs) {
            copyBlob(from, fromRepository, to, toRepository, blob);
        }
    }

    private static void copyBlob(RegistryClient from, String fromRepository, RegistryClient to, String toRepository, String digest) {
        if (to.blobExists(toRepository, digest)) {
            return;
        }
        if (from.registry().equals(to.registry()) && to.mountBlob(toRepository, fromRepository, digest)) {
            LOG.debugf("mounted %s from %s into %s", digest, fromRepository, toRepository);
            return;
        }
        Path temp = null;
        try {
            temp = Files.createTempFile("kiln-release-blob-", ".bin");
            from.downloadBlob(fromRepository, digest, temp);
            to.putBlob(toRepository, digest, temp);
        } catch (IOException e) {
            throw new RegistryException("cannot buffer blob " + digest + " on local disk: " + e.getMessage(), true);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    LOG.warnf("cannot delete %s: %s", temp, e.getMessage());
                }
            }
        }
    }

    private static JsonNode parse(RegistryClient.Manifest manifest) {
        try {
            return JSON.readTree(manifest.bytes());
        } catch (IOException e) {
            throw new RegistryException("manifest " + manifest.digest() + " is not JSON: " + e.getMessage(), false);
        }
    }
}
