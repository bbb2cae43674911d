package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import java.time.Instant;
import java.util.List;

/**
 * Everything the hub knows about one build; {@code layers} are the built image's, bottom first (empty before);
 * {@code workerId} and {@code dockerHost}: the container-build worker that took it and its daemon (null before).
 */
public record Build(String id, String component, BuildState state, boolean scratch, String requester, Nvr nvr,
        String dockerfilePath, Source source, Instant createdAt, Instant updatedAt, List<HistoryEntry> history,
        Failure failure, String parentImage, String parentDigest, ImageLocation candidate, List<QaRecord> qaResults,
        List<SignatureRecord> signatures, ImageLocation promoted, String imageId, Long imageSize,
        CancelRequest cancelRequest, List<ImageLayer> layers, String workerId, String dockerHost) {
    public Build {
        history = history == null ? List.of() : List.copyOf(history);
        qaResults = qaResults == null ? List.of() : List.copyOf(qaResults);
        signatures = signatures == null ? List.of() : List.copyOf(signatures);
        layers = layers == null ? List.of() : List.copyOf(layers);
    }
}
