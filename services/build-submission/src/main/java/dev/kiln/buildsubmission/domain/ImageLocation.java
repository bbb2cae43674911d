package dev.kiln.buildsubmission.domain;

import java.util.List;

/** An image in a registry: the candidate after the push, or the production copy after promotion. */
public record ImageLocation(String registry, String repository, String digest, List<String> tags) {
    public ImageLocation {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** {@code registry/repository@digest}. */
    public String reference() {
        return registry + "/" + repository + "@" + digest;
    }
}
