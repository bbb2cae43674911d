package dev.kiln.containerbuild.preflight;

import dev.kiln.events.BuildRequested;
import dev.kiln.support.dockerfile.DockerfileParser;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** What the preflight plugins read and fill in for one build. */
public final class PreflightContext {
    private final BuildRequested request;
    private final String dockerfilePath;
    private final String commit;
    private final Consumer<String> log;
    private final Instant now;
    private String dockerfile;
    private DockerfileParser.Result parsed;
    private String network = "none";
    private String parentImage;
    private String parentDigest;
    private final Map<String, String> pinned = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();

    /**
     * @param dockerfile the Dockerfile's text as fetched
     * @param commit the git commit checked out, or null for an uploaded context
     */
    public PreflightContext(BuildRequested request, String dockerfilePath, String dockerfile, String commit,
            Consumer<String> log, Instant now) {
        this.request = request;
        this.dockerfilePath = dockerfilePath;
        this.dockerfile = dockerfile;
        this.commit = commit;
        this.log = log;
        this.now = now;
    }

    public BuildRequested request() {
        return request;
    }

    public String dockerfilePath() {
        return dockerfilePath;
    }

    /** The git commit that is built, or null for an uploaded context. */
    public String commit() {
        return commit;
    }

    /** The time the build was prepared (for the injected dates). */
    public Instant now() {
        return now;
    }

    public void log(String line) {
        log.accept("[kiln] " + line);
    }

    /** The Dockerfile to build: as fetched, with the FROM lines rewritten once the parents are pinned. */
    public String dockerfile() {
        return dockerfile;
    }

    void dockerfile(String text) {
        this.dockerfile = text;
    }

    /** The parsed Dockerfile (set by the first plugin). */
    public DockerfileParser.Result parsed() {
        return parsed;
    }

    void parsed(DockerfileParser.Result parsed) {
        this.parsed = parsed;
    }

    /** {@code none} or {@code host}. */
    public String network() {
        return network;
    }

    void network(String network) {
        this.network = network;
    }

    /** The image the final stage starts from, as written (ARGs substituted), null without FROM. */
    public String parentImage() {
        return parentImage;
    }

    /** The digest {@link #parentImage()} was pinned to; null for {@code scratch}. */
    public String parentDigest() {
        return parentDigest;
    }

    void parent(String image, String digest) {
        this.parentImage = image;
        this.parentDigest = digest;
    }

    /** Every FROM image → the {@code repository@sha256:...} it was pinned to. */
    public Map<String, String> pinned() {
        return pinned;
    }

    /** Labels given to {@code docker build} (they override the Dockerfile's). */
    public Map<String, String> labels() {
        return labels;
    }
}
