package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import java.time.Instant;
import java.util.List;

/**
 * Everything the hub knows about one build, grouped by who wrote it: what was asked ({@link Request}, fixed at
 * submission), how it went ({@link Timeline}), what the builder made ({@link Built}, empty before) and where the image
 * went since ({@link Delivery}).
 */
public record Build(String id, BuildState state, Request request, Timeline timeline, Built built, Delivery delivery) {

    /** The submission: fixed once the build is accepted. */
    public record Request(String component, boolean scratch, String requester, Nvr nvr, String dockerfilePath,
            Source source) {
    }

    /** When the build was made and last changed, its state changes, why it failed and who asked to cancel it. */
    public record Timeline(Instant createdAt, Instant updatedAt, List<HistoryEntry> history, Failure failure,
            CancelRequest cancelRequest) {
        public Timeline {
            history = history == null ? List.of() : List.copyOf(history);
        }

        public static Timeline started(Instant at) {
            return new Timeline(at, at, List.of(), null, null);
        }
    }

    /**
     * What container-build reported: the image, its parent, its layers bottom first, and the worker that built it
     * with its daemon. Every field is null (layers empty) until the builder reports.
     */
    public record Built(String imageId, Long imageSize, String parentImage, String parentDigest, List<ImageLayer> layers,
            String workerId, String dockerHost) {
        public static final Built NOTHING = new Built(null, null, null, null, List.of(), null, null);

        public Built {
            layers = layers == null ? List.of() : List.copyOf(layers);
        }
    }

    /** The image after the build: the candidate push, QA's results, the signatures and the promotion. */
    public record Delivery(ImageLocation candidate, List<QaRecord> qaResults, List<SignatureRecord> signatures,
            ImageLocation promoted) {
        public static final Delivery NOTHING = new Delivery(null, List.of(), List.of(), null);

        public Delivery {
            qaResults = qaResults == null ? List.of() : List.copyOf(qaResults);
            signatures = signatures == null ? List.of() : List.copyOf(signatures);
        }
    }
}
