package dev.kiln.release.domain;

import java.time.Instant;
import java.util.List;

/**
 * What the gate decides about: one build's image in the candidate registry. Until image.pushed has arrived only
 * {@code buildId} is known ({@link #pushed()} is false). {@code failingSince}: since when only a waiver could satisfy
 * the gate (null: not so); {@code decisionFinal}: the last decision was sent as final, nothing changes it any more.
 */
public record Subject(String buildId, String component, boolean scratch, String name, String version, String release,
        String registry, String repository, String digest, List<String> tags, boolean promoted, String lastDecisionJson,
        Instant failingSince, boolean decisionFinal) {
    public Subject {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    public Subject(String buildId, String component, boolean scratch, String name, String version, String release,
            String registry, String repository, String digest, List<String> tags, boolean promoted, String lastDecisionJson) {
        this(buildId, component, scratch, name, version, release, registry, repository, digest, tags, promoted,
                lastDecisionJson, null, false);
    }

    public boolean pushed() {
        return digest != null && registry != null && repository != null && name != null && version != null;
    }

    /** {@code registry/repository}, as in a GatingDecision's subjectRepository. */
    public String subjectRepository() {
        return registry + "/" + repository;
    }

    /** The production tags: {@code <version>-<release>}, {@code <version>}, {@code latest}. */
    public List<String> productionTags() {
        return release == null ? List.of(version, "latest") : List.of(version + "-" + release, version, "latest");
    }
}
