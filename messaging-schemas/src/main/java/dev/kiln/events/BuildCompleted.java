package dev.kiln.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The image is built and waits in the daemon of {@code dockerHost}. {@code parentDigest} is the digest the FROM
 * image was pinned to; {@code contentManifest} lists what the image contains (packages, or the files of a
 * package-less image) as package URLs; {@code layers} are the image's layers, bottom first (absent from events of
 * older producers: an empty list); {@code run} is how it ran (source, Dockerfile, options, worker, start), which its
 * provenance records (absent from events of older producers: null).
 */
public record BuildCompleted(String buildId, String component, boolean scratch, String imageId, String dockerHost,
        Nvr nvr, String parentImage, String parentDigest, Map<String, String> labels, long sizeBytes,
        List<String> contentManifest, List<ImageLayer> layers, BuildRun run, Instant time) implements KilnEvent {
    public BuildCompleted {
        Require.text(buildId, "buildId");
        Require.text(component, "component");
        Require.digest(imageId, "imageId");
        Require.text(dockerHost, "dockerHost");
        Require.present(nvr, "nvr");
        Require.optionalDigest(parentDigest, "parentDigest");
        labels = Require.map(labels);
        Require.notNegative(sizeBytes, "sizeBytes");
        contentManifest = Require.list(contentManifest);
        layers = Require.list(layers);
        Require.present(time, "time");
    }
}
