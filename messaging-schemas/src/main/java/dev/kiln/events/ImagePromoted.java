package dev.kiln.events;

import java.time.Instant;
import java.util.List;

/** The candidate was copied to production; {@code digest} is the same on both sides. */
public record ImagePromoted(String buildId, String fromRegistry, String fromRepository, String toRegistry,
        String toRepository, String digest, List<String> tags, Instant time) implements KilnEvent {
    public ImagePromoted {
        Require.text(buildId, "buildId");
        Require.text(fromRegistry, "fromRegistry");
        Require.text(fromRepository, "fromRepository");
        Require.text(toRegistry, "toRegistry");
        Require.text(toRepository, "toRepository");
        Require.digest(digest, "digest");
        tags = Require.list(tags);
        if (tags.isEmpty()) {
            throw new IllegalArgumentException("a promotion names at least one tag");
        }
        Require.present(time, "time");
    }

    /** {@code toRegistry/toRepository@digest}. */
    public String toReference() {
        return toRegistry + "/" + toRepository + "@" + digest;
    }
}
