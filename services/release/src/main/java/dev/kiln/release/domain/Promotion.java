package dev.kiln.release.domain;

import java.time.Instant;
import java.util.List;

/** One build's image copied to one registry: where, which digest (the candidate's), which tags, by whom. */
public record Promotion(String buildId, String fromRegistry, String fromRepository, String toRegistry, String toRepository,
        String digest, List<String> tags, String promotedBy, Instant time) {
    public Promotion {
        tags = List.copyOf(tags);
    }

    public String reference() {
        return toRegistry + "/" + toRepository + "@" + digest;
    }
}
