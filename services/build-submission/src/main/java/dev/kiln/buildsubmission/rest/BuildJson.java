package dev.kiln.buildsubmission.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kiln.buildsubmission.domain.Build;
import dev.kiln.buildsubmission.domain.Failure;
import dev.kiln.buildsubmission.domain.ImageLocation;
import dev.kiln.events.Source;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The build record of {@code GET /api/v1/builds/{id}} (docs/architecture.md); absent parts are left out. The list
 * ({@link #listed}) leaves out {@code layers} too: a page holds up to 500 builds, and layers matter to whoever looks
 * at one build.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BuildJson(String id, String component, String state, boolean scratch, String requester, String nvr,
        String dockerfilePath, SourceJson source, Instant createdAt, Instant updatedAt, List<HistoryJson> history,
        FailureJson failure, String parentImage, String parentDigest, LocationJson candidate,
        List<QaJson> qaResults, List<SignatureJson> signatures, LocationJson promoted, String imageId,
        Long imageSize, Map<String, Integer> qaSummary, CancelJson cancelRequested, List<LayerJson> layers,
        WorkerJson worker) {

    /** The container-build worker that took the build, and the Docker daemon it built on. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WorkerJson(String id, String dockerHost) {
    }

    /** Who asked to cancel the build, and when. */
    public record CancelJson(String by, Instant at) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SourceJson(String kind, String contextDigest, String gitUrl, String gitRef, String gitCommit) {
    }

    /** A state and when the event proving it happened; {@code inferred: true} when no such event was seen yet. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HistoryJson(String state, Instant at, Boolean inferred) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailureJson(String stage, String reason, String message) {
    }

    public record LocationJson(String registry, String repository, String digest, List<String> tags,
            String reference) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QaJson(String testCase, String outcome, String summary, String reporter) {
    }

    public record SignatureJson(String reference, String digest, String format, String keyId) {
    }

    /** One layer of the built image; {@code createdBy} is left out when the daemon did not say. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LayerJson(String diffId, long sizeBytes, String createdBy) {
    }

    /** The whole record, with the image's layers (bottom first; an empty array until the image is built). */
    public static BuildJson of(Build b) {
        return of(b, true);
    }

    /** The record as an entry of a build list: without the layers. */
    public static BuildJson listed(Build b) {
        return of(b, false);
    }

    private static BuildJson of(Build b, boolean withLayers) {
        Build.Request r = b.request();
        Build.Timeline time = b.timeline();
        Build.Built built = b.built();
        Build.Delivery d = b.delivery();
        Source s = r.source();
        Failure f = time.failure();
        return new BuildJson(b.id(), r.component(), b.state().name(), r.scratch(), r.requester(), r.nvr().toString(),
                r.dockerfilePath(),
                new SourceJson(s.kind().name(), s.contextDigest(), s.gitUrl(), s.gitRef(), s.gitCommit()),
                time.createdAt(), time.updatedAt(),
                time.history().stream()
                        .map(h -> new HistoryJson(h.state().name(), h.at(), h.inferred() ? Boolean.TRUE : null)).toList(),
                f == null ? null
                        : new FailureJson(f.stage() == null ? null : f.stage().wireName(), f.reason(), f.message()),
                built.parentImage(), built.parentDigest(), location(d.candidate()),
                d.qaResults().stream().map(q -> new QaJson(q.testCase(), q.outcome().name(), q.summary(), q.reporter()))
                        .toList(),
                d.signatures().stream().map(g -> new SignatureJson(g.reference(), g.digest(), g.format(), g.keyId()))
                        .toList(),
                location(d.promoted()), built.imageId(), built.imageSize(), qaSummary(b),
                time.cancelRequest() == null ? null
                        : new CancelJson(time.cancelRequest().by(), time.cancelRequest().at()),
                withLayers ? built.layers().stream().map(l -> new LayerJson(l.diffId(), l.sizeBytes(), l.createdBy()))
                        .toList() : null,
                built.workerId() == null && built.dockerHost() == null ? null
                        : new WorkerJson(built.workerId(), built.dockerHost()));
    }

    /** How many test cases ended in each outcome, e.g. {@code {"PASSED": 3, "FAILED": 1}}. */
    private static Map<String, Integer> qaSummary(Build b) {
        Map<String, Integer> out = new TreeMap<>();
        b.delivery().qaResults().forEach(q -> out.merge(q.outcome().name(), 1, Integer::sum));
        return out;
    }

    private static LocationJson location(ImageLocation l) {
        return l == null ? null
                : new LocationJson(l.registry(), l.repository(), l.digest(), l.tags(), l.reference());
    }
}
