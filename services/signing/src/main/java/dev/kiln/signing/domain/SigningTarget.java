package dev.kiln.signing.domain;

import java.util.List;

/**
 * What one event asks to be signed: the image {@code registry/repository@digest} under each name in {@code references}
 * ({@code registry/repository:tag}).
 */
public record SigningTarget(String buildId, String registry, String repository, String digest, List<String> tags) {
    public SigningTarget {
        tags = List.copyOf(tags);
    }

    public String reference(String tag) {
        return registry + "/" + repository + ":" + tag;
    }

    public List<String> references() {
        return tags.stream().map(this::reference).toList();
    }

    /** The tag holding the cosign signatures: {@code sha256-<hex>.sig}. */
    public String signatureTag() {
        return digest.replace(':', '-') + ".sig";
    }

    public String signatureLocation() {
        return registry + "/" + repository + ":" + signatureTag();
    }
}
