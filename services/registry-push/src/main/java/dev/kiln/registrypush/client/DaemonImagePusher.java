package dev.kiln.registrypush.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.support.docker.DaemonErrors;
import dev.kiln.support.registry.RegistryClient;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

/**
 * Moves an image from a Docker daemon into a registry exactly as the daemon built it, as {@code docker push} does:
 * the image configuration blob is the daemon's own bytes (from {@code docker save}), so its digest is the image id and
 * every field the daemon recorded ({@code OnBuild}, {@code StopSignal}, {@code Shell}, {@code Healthcheck},
 * {@code Volumes}, the order of {@code Env}, history, {@code created}) reaches the registry unchanged. Each layer is
 * the daemon's layer tar, gzip-compressed; the manifest is a Docker schema 2 manifest.
 *
 * <p>Layers the registry holds are not sent again: the compressed digest of every layer this pusher made is kept in
 * {@code cacheDir} by diff id, and a layer whose blob the repository has (or can mount from another repository of the
 * same registry where it was pushed before) is neither compressed nor uploaded. The cache is only a shortcut: without
 * it a layer is compressed again and the registry still decides whether to take it.
 */
public final class DaemonImagePusher {
    private static final Logger LOG = Logger.getLogger(DaemonImagePusher.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String CONFIG_MEDIA_TYPE = "application/vnd.docker.container.image.v1+json";
    public static final String LAYER_MEDIA_TYPE = "application/vnd.docker.image.rootfs.diff.tar.gzip";

    /** What was pushed: the manifest's digest, media type and bytes, and the config digest (the image id). */
    public record Pushed(String digest, String mediaType, byte[] manifest, String configDigest, int layersSent,
            int layersReused) {
    }

    /** The daemon's configuration is not the image it names: what the daemon holds would not be what ships. */
    public static final class ConfigMismatchException extends IOException {
        public ConfigMismatchException(String message) {
            super(message);
        }
    }

    private final Path cacheDir;

    public DaemonImagePusher(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /** Pushes daemon image {@code imageId} as {@code repository} under every tag in {@code tags}. */
    public Pushed push(DockerClient docker, String imageId, RegistryClient registry, String repository, List<String> tags)
            throws IOException {
        Path work = Files.createTempDirectory(cacheDir, "save-");
        try {
            Saved saved = save(docker, imageId, work);
            String configDigest = RegistryClient.sha256(saved.config());
            if (!configDigest.equals(imageId)) {
                throw new ConfigMismatchException("the Docker daemon's configuration of image " + imageId
                        + " has digest " + configDigest);
            }
            List<String> diffIds = new ArrayList<>();
            JSON.readTree(saved.config()).path("rootfs").path("diff_ids").forEach(d -> diffIds.add(d.asText()));
            if (!diffIds.equals(saved.layerDiffIds())) {
                throw new ConfigMismatchException("the layers the Docker daemon saved for image " + imageId + " ("
                        + saved.layerDiffIds() + ") are not the ones its configuration names (" + diffIds + ")");
            }
            ArrayNode layers = JSON.createArrayNode();
            int sent = 0;
            int reused = 0;
            Map<String, ObjectNode> done = new HashMap<>();
            for (int i = 0; i < diffIds.size(); i++) {
                String diffId = diffIds.get(i);
                ObjectNode descriptor = done.get(diffId);
                if (descriptor == null) {
                    Optional<Cached> cached = cached(diffId).filter(c -> present(registry, repository, c));
                    if (cached.isPresent()) {
                        descriptor = descriptor(LAYER_MEDIA_TYPE, cached.get().size(), cached.get().digest());
                        reused++;
                    } else {
                        Path gz = work.resolve("layer-" + i + ".tar.gz");
                        Cached made = compress(saved.layerFiles().get(i), gz);
                        if (!registry.blobExists(repository, made.digest())) {
                            registry.putBlob(repository, made.digest(), gz);
                            sent++;
                        } else {
                            reused++;
                        }
                        remember(diffId, new Cached(made.digest(), made.size(), repository));
                        descriptor = descriptor(LAYER_MEDIA_TYPE, made.size(), made.digest());
                        Files.deleteIfExists(gz);
                    }
                    done.put(diffId, descriptor);
                }
                layers.add(descriptor);
            }
            if (!registry.blobExists(repository, configDigest)) {
                registry.putBlob(repository, configDigest, saved.config());
            }
            ObjectNode manifest = JSON.createObjectNode();
            manifest.put("schemaVersion", 2);
            manifest.put("mediaType", RegistryClient.DOCKER_MANIFEST);
            manifest.set("config", descriptor(CONFIG_MEDIA_TYPE, saved.config().length, configDigest));
            manifest.set("layers", layers);
            byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest);
            String digest = RegistryClient.sha256(bytes);
            for (String tag : tags) {
                String put = registry.putManifest(repository, tag, bytes, RegistryClient.DOCKER_MANIFEST);
                if (put != null && !put.isBlank() && !put.equals(digest)) {
                    throw new IOException(registry.registry() + "/" + repository + ":" + tag
                            + " took the manifest as " + put + " where its bytes have digest " + digest);
                }
            }
            LOG.debugf("pushed %s as %s/%s@%s: %d layer(s) sent, %d already there", imageId, registry.registry(),
                    repository, digest, sent, reused);
            return new Pushed(digest, RegistryClient.DOCKER_MANIFEST, bytes, configDigest, sent, reused);
        } finally {
            deleteTree(work);
        }
    }

    /** What {@code docker save} gave: the config bytes, and the layer tars in the manifest's order with their diff ids. */
    private record Saved(byte[] config, List<Path> layerFiles, List<String> layerDiffIds) {
    }

    private static Saved save(DockerClient docker, String imageId, Path work) throws IOException {
        Map<String, byte[]> small = new HashMap<>();
        Map<String, Path> files = new HashMap<>();
        Map<String, String> diffIds = new HashMap<>();
        Map<String, String> links = new HashMap<>();
        int n = 0;
        try (InputStream in = docker.saveImageCmd(imageId).exec();
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                if (e.isSymbolicLink()) {
                    // a layer saved twice is a link to the first copy
                    links.put(name, Path.of(name).resolveSibling(e.getLinkName()).normalize().toString());
                } else if (name.endsWith("/layer.tar") && !e.isDirectory()) {
                    Path file = work.resolve("layer-raw-" + n++ + ".tar");
                    MessageDigest sha = sha256();
                    try (OutputStream out = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(file)), sha)) {
                        tar.transferTo(out);
                    }
                    files.put(name, file);
                    diffIds.put(name, "sha256:" + HexFormat.of().formatHex(sha.digest()));
                } else if (name.endsWith(".json") && !name.contains("/")) { // manifest.json and the config
                    small.put(name, tar.readAllBytes());
                }
            }
        } catch (NotFoundException e) {
            throw new DaemonException("image " + imageId + " is not in the Docker daemon", true, e);
        } catch (RuntimeException e) {
            throw new DaemonException("the Docker daemon could not save image " + imageId + ": "
                    + DaemonErrors.text(e), false, e);
        }
        byte[] manifestBytes = small.get("manifest.json");
        if (manifestBytes == null) {
            throw new IOException("the Docker daemon's save of " + imageId + " has no manifest.json");
        }
        JsonNode entry = JSON.readTree(manifestBytes).path(0);
        byte[] config = small.get(entry.path("Config").asText());
        if (config == null) {
            throw new IOException("the Docker daemon's save of " + imageId + " has no configuration "
                    + entry.path("Config").asText());
        }
        List<Path> layerFiles = new ArrayList<>();
        List<String> layerDiffIds = new ArrayList<>();
        for (JsonNode layer : entry.path("Layers")) {
            String name = layer.asText();
            String target = links.getOrDefault(name, name);
            Path file = files.get(target);
            if (file == null) {
                throw new IOException("the Docker daemon's save of " + imageId + " lacks layer " + name);
            }
            layerFiles.add(file);
            layerDiffIds.add(diffIds.get(target));
        }
        return new Saved(config, layerFiles, layerDiffIds);
    }

    /** A layer's blob: compressed digest and size, and the repository it was last pushed to. */
    private record Cached(String digest, long size, String repository) {
    }

    private Optional<Cached> cached(String diffId) {
        Path file = cacheDir.resolve("layers").resolve(diffId.replace(':', '-'));
        try {
            String[] f = Files.readString(file, StandardCharsets.UTF_8).strip().split(" ");
            return f.length == 3 ? Optional.of(new Cached(f[0], Long.parseLong(f[1]), f[2])) : Optional.empty();
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private void remember(String diffId, Cached blob) {
        Path dir = cacheDir.resolve("layers");
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "entry-", ".tmp");
            Files.writeString(tmp, blob.digest() + " " + blob.size() + " " + blob.repository(), StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(diffId.replace(':', '-')), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.debugf("cannot remember layer %s: %s", diffId, e.getMessage());
        }
    }

    /** Whether the repository has the blob, mounting it from the repository it was pushed to before when not. */
    private static boolean present(RegistryClient registry, String repository, Cached blob) {
        if (registry.blobExists(repository, blob.digest())) {
            return true;
        }
        return !blob.repository().equals(repository) && registry.blobExists(blob.repository(), blob.digest())
                && registry.mountBlob(repository, blob.repository(), blob.digest());
    }

    private static Cached compress(Path raw, Path gz) throws IOException {
        MessageDigest sha = sha256();
        try (OutputStream file = new DigestOutputStream(new BufferedOutputStream(Files.newOutputStream(gz)), sha);
                OutputStream out = new GZIPOutputStream(file, 64 * 1024)) {
            Files.copy(raw, out);
        }
        return new Cached("sha256:" + HexFormat.of().formatHex(sha.digest()), Files.size(gz), "");
    }

    private static ObjectNode descriptor(String mediaType, long size, String digest) {
        ObjectNode d = JSON.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("size", size);
        d.put("digest", digest);
        return d;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // temp files
        }
    }
}
