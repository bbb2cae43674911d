package dev.kiln.events;

import java.time.Instant;
import java.util.List;

/** The image is in the candidate registry as {@code registry/repository@digest} with {@code tags}. */
public record ImagePushed(String buildId, String component, boolean scratch, Nvr nvr, String registry,
        String repository, List<String> tags, String digest, String mediaType, long sizeBytes, Instant time)
        implements KilnEvent {
    public ImagePushed {
        Require.text(buildId, "buildId");
        Require.text(component, "component");
        Require.present(nvr, "nvr");
        Require.text(registry, "registry");
        Require.text(repository, "repository");
        tags = Require.list(tags);
        Require.digest(digest, "digest");
        Require.text(mediaType, "mediaType");
        Require.notNegative(sizeBytes, "sizeBytes");
        Require.present(time, "time");
    }

    /** {@code registry/repository@digest}. */
    public String reference() {
        return registry + "/" + repository + "@" + digest;
    }
}
