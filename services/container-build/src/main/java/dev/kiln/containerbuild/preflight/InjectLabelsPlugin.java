package dev.kiln.containerbuild.preflight;

import dev.kiln.events.BuildRequested;
import dev.kiln.events.Source;
import dev.kiln.support.docker.KilnLabels;
import java.time.temporal.ChronoUnit;
import java.util.Map;

/**
 * The labels Kiln gives every image (OSBS's {@code add_labels_in_dockerfile} plus the OCI annotations): build date,
 * VCS URL / ref / type, build id, parent image and digest, and {@code org.opencontainers.image.created},
 * {@code .revision}, {@code .source}, {@code .version}, {@code .title}, {@code .base.name}, {@code .base.digest}.
 * They are passed to {@code docker build} as labels, so they override what the Dockerfile says.
 */
public final class InjectLabelsPlugin implements PreflightPlugin {
    private static final String OCI = "org.opencontainers.image.";

    private final String hubUrl;

    /** @param hubUrl build-submission's URL, for the source of an uploaded context */
    public InjectLabelsPlugin(String hubUrl) {
        this.hubUrl = hubUrl.endsWith("/") ? hubUrl.substring(0, hubUrl.length() - 1) : hubUrl;
    }

    @Override
    public String name() {
        return "labels";
    }

    @Override
    public void run(PreflightContext c) {
        BuildRequested r = c.request();
        Map<String, String> labels = c.labels();
        Map<String, String> own = c.parsed().labels();
        String date = c.now().truncatedTo(ChronoUnit.SECONDS).toString();
        labels.put("build-date", date);
        labels.put(OCI + "created", date);
        labels.put(KilnLabels.BUILD_ID, r.buildId());
        Source s = r.source();
        if (s.kind() == Source.Kind.GIT) {
            String ref = c.commit() != null ? c.commit() : s.gitCommit() != null ? s.gitCommit() : s.gitRef();
            labels.put("vcs-type", "git");
            labels.put("vcs-url", s.gitUrl());
            labels.put("vcs-ref", ref);
            labels.put(OCI + "source", s.gitUrl());
            labels.put(OCI + "revision", ref);
        } else {
            labels.put(KilnLabels.CONTEXT_DIGEST, s.contextDigest());
            labels.put(OCI + "source", hubUrl + "/api/v1/contexts/" + s.contextDigest());
        }
        String name = own.getOrDefault("name", r.nvr().name());
        String version = own.getOrDefault("version", r.nvr().version());
        labels.put(OCI + "title", name);
        labels.put(OCI + "version", r.scratch() || r.nvr().release() == null ? version : version + "-" + r.nvr().release());
        if (c.parentImage() != null) {
            labels.put(KilnLabels.PARENT_IMAGE, c.parentImage());
            labels.put(OCI + "base.name", c.parentImage());
        }
        if (c.parentDigest() != null) {
            labels.put(KilnLabels.PARENT_DIGEST, c.parentDigest());
            labels.put(OCI + "base.digest", c.parentDigest());
        }
        c.log("preflight " + name() + ": " + labels.size() + " labels injected");
    }
}
