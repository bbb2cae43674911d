package dev.kiln.support.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

    /** What {@link #copyAttachments} carried over: the tags it wrote (or found already complete). */
    public record Attachments(List<String> copied) {
    }

    /**
     * Carries the candidate's attachments of {@code digest} along: its cosign signatures ({@code sha256-<hex>.sig}),
     * its SBOM ({@code sha256-<hex>.sbom}), attestations ({@code sha256-<hex>.att}) and the OCI referrers of the tag
     * schema ({@code sha256-<hex>}, an index of referrers on registries without the referrers API, as distribution 2.8).
     * Blobs go the way image blobs go (skip, mount, stream). An existing {@code .sig} in the target is merged, never
     * overwritten: the layers it lacks are appended (the signing service appends the production name's signature to
     * the same manifest after {@code image.promoted}). Other attachments are put unchanged.
     */
    public static Attachments copyAttachments(RegistryClient from, String fromRepository, String digest, RegistryClient to,
            String toRepository) {
        String base = digest.replace(':', '-');
        List<String> copied = new ArrayList<>();
        for (String tag : List.of(base + ".sig", base + ".sbom", base + ".att", base)) {
            RegistryClient.Manifest manifest = from.getManifest(fromRepository, tag).orElse(null);
            if (manifest == null) {
                continue;
            }
            copyContent(from, fromRepository, to, toRepository, manifest);
            if (tag.endsWith(".sig")) {
                mergeSignatures(to, toRepository, tag, manifest);
            } else {
                to.putManifest(toRepository, tag, manifest.bytes(), manifest.mediaType());
            }
            copied.add(tag);
        }
        return new Attachments(copied);
    }

    private static void mergeSignatures(RegistryClient to, String toRepository, String tag, RegistryClient.Manifest source) {
        RegistryClient.Manifest existing = to.getManifest(toRepository, tag).orElse(null);
        if (existing == null) {
            to.putManifest(toRepository, tag, source.bytes(), source.mediaType());
            return;
        }
        JsonNode target = parse(existing);
        List<JsonNode> layers = new ArrayList<>();
        java.util.Set<String> present = new java.util.HashSet<>();
        for (JsonNode layer : target.path("layers")) {
            layers.add(layer);
            present.add(layer.path("digest").asText());
        }
        int added = 0;
        for (JsonNode layer : parse(source).path("layers")) {
            if (present.add(layer.path("digest").asText())) {
                layers.add(layer);
                added++;
            }
        }
        if (added == 0) {
            return;
        }
        com.fasterxml.jackson.databind.node.ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.putObject("config");
        config.put("created", "0001-01-01T00:00:00Z");
        config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
        config.put("os", "");
        com.fasterxml.jackson.databind.node.ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        com.fasterxml.jackson.databind.node.ArrayNode diffIds = rootfs.putArray("diff_ids");
        layers.forEach(l -> diffIds.add(l.path("digest").asText()));
        byte[] configBytes = bytes(config);
        String configDigest = RegistryClient.sha256(configBytes);
        if (!to.blobExists(toRepository, configDigest)) {
            to.putBlob(toRepository, configDigest, configBytes);
        }
        com.fasterxml.jackson.databind.node.ObjectNode manifest = JSON.createObjectNode();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", RegistryClient.OCI_MANIFEST);
        com.fasterxml.jackson.databind.node.ObjectNode c = manifest.putObject("config");
        c.put("mediaType", target.path("config").path("mediaType").asText("application/vnd.oci.image.config.v1+json"));
        c.put("size", configBytes.length);
        c.put("digest", configDigest);
        com.fasterxml.jackson.databind.node.ArrayNode l = manifest.putArray("layers");
        layers.forEach(l::add);
        to.putManifest(toRepository, tag, bytes(manifest), RegistryClient.OCI_MANIFEST);
        LOG.debugf("merged %d signature layer(s) into %s/%s:%s", added, to.registry(), toRepository, tag);
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
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
