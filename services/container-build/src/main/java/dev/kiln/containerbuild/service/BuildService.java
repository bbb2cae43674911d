package dev.kiln.containerbuild.service;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.containerbuild.client.BuildOutput;
import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.client.DockerUnavailableException;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One build at a time: fetch the source, pin the parent image, run the isolated {@code docker build}, stream its log,
 * inspect the result. Every outcome is an event: {@code build.completed}, {@code build.failed} or
 * {@code build.canceled}.
 */
@ApplicationScoped
public class BuildService {
    private static final Logger LOG = Logger.getLogger(BuildService.class);

    public static final String LABEL_BUILD_ID = "dev.kiln.build-id";
    public static final String LABEL_PARENT_IMAGE = "dev.kiln.parent-image";
    public static final String LABEL_PARENT_DIGEST = "dev.kiln.parent-digest";
    private static final long PULL_TIMEOUT_SECONDS = 600;
    private static final int REMEMBERED = 1000;

    @Inject
    KilnConfig config;

    @Inject
    DockerDaemon docker;

    @Inject
    SourceFetcher sources;

    @Inject
    BuildEvents events;

    private final Object lock = new Object();
    private final AtomicReference<Running> current = new AtomicReference<>();
    /** Cancel requests for builds that have not arrived yet: build id → who asked. */
    private final Map<String, String> canceledBeforeStart = lru();
    /** Builds this instance ended without an image (failed, canceled): a redelivered request gets the same answer. */
    private final Map<String, KilnEvent> endedWithoutImage = lru();

    private static final class Running {
        final String buildId;
        volatile String canceledBy;

        Running(String buildId) {
            this.buildId = buildId;
        }
    }

    /** The tag a build's image gets in the builder's daemon. */
    public static String imageTag(String buildId) {
        String repo = buildId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        return "kiln-build/" + repo + ":latest";
    }

    public String workerId() {
        return config.workerId().filter(s -> !s.isBlank()).orElseGet(() -> {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                } catch (IOException e) {
                    host = "localhost";
                }
            }
            return host + "-" + ProcessHandle.current().pid();
        });
    }

    /** Handles one {@code build.requested}; returns after the outcome event is acknowledged by the broker. */
    public void handle(BuildRequested request) {
        String id = request.buildId();
        Optional<BuildCompleted> built = alreadyBuilt(request);
        if (built.isPresent()) {
            LOG.infof("build %s was already built here as %s: sending build.completed again", id, built.get().imageId());
            events.publish(built.get());
            return;
        }
        KilnEvent ended = endedWithoutImage.get(id);
        if (ended != null) {
            LOG.infof("build %s already ended here (%s): sending the outcome again", id, ended.getClass().getSimpleName());
            events.publish(ended);
            return;
        }
        Running run = new Running(id);
        String canceledBy;
        synchronized (lock) {
            canceledBy = canceledBeforeStart.remove(id);
            if (canceledBy == null) {
                current.set(run);
            }
        }
        if (canceledBy != null) {
            LOG.infof("build %s was canceled by %s before it started", id, canceledBy);
            BuildCanceled canceled = new BuildCanceled(id, Stage.BUILD, canceledBy, Instant.now());
            endedWithoutImage.put(id, canceled);
            events.publish(canceled);
            return;
        }
        try {
            events.publish(new BuildStarted(id, workerId(), docker.host(), Instant.now()));
            KilnEvent outcome = run(request, run);
            if (!(outcome instanceof BuildCompleted)) {
                endedWithoutImage.put(id, outcome);
            }
            events.publish(outcome);
        } finally {
            current.compareAndSet(run, null);
        }
    }

    /**
     * Handles a cancel request: stops the build when it is the one running here, or remembers it so that the request
     * is skipped when it arrives. Returns true when it stopped a running build.
     */
    public boolean cancel(BuildCancelRequested request) {
        synchronized (lock) {
            Running run = current.get();
            if (run != null && run.buildId.equals(request.buildId())) {
                run.canceledBy = request.requestedBy();
                return true;
            }
            if (!endedWithoutImage.containsKey(request.buildId())) {
                canceledBeforeStart.put(request.buildId(), request.requestedBy());
            }
            return false;
        }
    }

    private KilnEvent run(BuildRequested request, Running run) {
        String id = request.buildId();
        LogBatcher log = new LogBatcher(id, events);
        Path work = null;
        try {
            work = Files.createTempDirectory("kiln-build-");
            SourceFetcher.Fetched source = sources.fetch(request, work);
            log.add("[kiln] source: " + describe(request) + ", Dockerfile " + source.dockerfilePath());
            if (run.canceledBy != null) {
                return canceled(run, log);
            }
            DockerfileParser.Result dockerfile = DockerfileParser.parse(source.dockerfile());
            if (dockerfile.parentImage() == null) {
                throw new BuildFailure(Stage.PREFLIGHT, "dockerfile-invalid", "The Dockerfile " + source.dockerfilePath()
                        + " has no FROM instruction; start it with FROM <parent image>.", false);
            }
            String parentDigest = preflightParent(dockerfile, log);
            if (run.canceledBy != null) {
                return canceled(run, log);
            }
            return build(request, run, source, dockerfile.parentImage(), parentDigest, work, log);
        } catch (BuildFailure f) {
            log.add("[kiln] " + f.stage().wireName() + " failed: " + f.getMessage());
            log.flush();
            return new BuildFailed(id, f.stage(), f.reason(), f.getMessage(), f.transientFailure(), Instant.now());
        } catch (DockerUnavailableException e) {
            log.flush();
            return new BuildFailed(id, Stage.BUILD, "docker-unavailable", "The builder's Docker daemon is not reachable ("
                    + e.getMessage() + "); the build can be tried again once the daemon is back.", true, Instant.now());
        } catch (IOException e) {
            LOG.errorf(e, "build %s: local I/O failed", id);
            log.flush();
            return new BuildFailed(id, Stage.BUILD, "builder-error", "The builder could not prepare the build ("
                    + e.getMessage() + "); try the build again.", true, Instant.now());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new BuildFailed(id, Stage.BUILD, "builder-error", "The builder was stopped during the build; try again.",
                    true, Instant.now());
        } finally {
            ContextArchives.deleteTree(work);
        }
    }

    /** Pulls a parent from a registry and returns its digest; a parent without a registry must be in the daemon. */
    private String preflightParent(DockerfileParser.Result dockerfile, LogBatcher log)
            throws BuildFailure, InterruptedException {
        String parent = dockerfile.parentImage();
        try {
            docker.ping();
        } catch (DockerUnavailableException e) {
            throw new BuildFailure(Stage.PREFLIGHT, "docker-unavailable", "The builder's Docker daemon is not reachable ("
                    + e.getMessage() + "); the build can be tried again once the daemon is back.", true, e);
        }
        if (dockerfile.isScratchParent()) {
            return null;
        }
        if (DockerfileParser.registryHost(parent).isPresent()) {
            try {
                InspectImageResponse image = docker.pull(parent, PULL_TIMEOUT_SECONDS);
                String digest = repoDigest(parent, image.getRepoDigests());
                log.add("[kiln] parent image " + parent + (digest == null ? "" : " pinned to " + digest));
                return digest;
            } catch (DockerUnavailableException e) {
                throw new BuildFailure(Stage.PREFLIGHT, "docker-unavailable", "The builder's Docker daemon is not reachable ("
                        + e.getMessage() + "); the build can be tried again once the daemon is back.", true, e);
            } catch (DockerException | DockerClientException e) {
                throw new BuildFailure(Stage.PREFLIGHT, "parent-image-unavailable", "The parent image " + parent
                        + " could not be pulled (" + oneLine(e.getMessage()) + "); check that it exists in its registry"
                        + " and that the builders may read it.", !(e instanceof NotFoundException), e);
            }
        }
        if (docker.inspectImage(parent).isEmpty()) {
            throw new BuildFailure(Stage.PREFLIGHT, "parent-image-unavailable", "The parent image " + parent
                    + " is not in the builder's Docker daemon and names no registry; use a parent from a registry,"
                    + " e.g. FROM <registry>/<repository>:<tag>.", false);
        }
        log.add("[kiln] parent image " + parent + " (from the builder's daemon, not pinned)");
        return null;
    }

    static String repoDigest(String reference, List<String> repoDigests) {
        int at = reference.indexOf('@');
        if (at >= 0) {
            return reference.substring(at + 1);
        }
        if (repoDigests == null || repoDigests.isEmpty()) {
            return null;
        }
        int colon = reference.lastIndexOf(':');
        String repository = colon > reference.lastIndexOf('/') ? reference.substring(0, colon) : reference;
        for (String rd : repoDigests) {
            if (rd.startsWith(repository + "@")) {
                return rd.substring(rd.indexOf('@') + 1);
            }
        }
        return null;
    }

    private KilnEvent build(BuildRequested request, Running run, SourceFetcher.Fetched source, String parentImage,
            String parentDigest, Path work, LogBatcher log) throws IOException, InterruptedException, BuildFailure {
        String id = request.buildId();
        Path tar = work.resolve("context.tar");
        ContextArchives.tar(source.contextDir(), tar);
        Map<String, String> labels = new HashMap<>();
        labels.put(LABEL_BUILD_ID, id);
        labels.put(LABEL_PARENT_IMAGE, parentImage);
        if (parentDigest != null) {
            labels.put(LABEL_PARENT_DIGEST, parentDigest);
        }
        if (!request.scratch()) {
            labels.put("release", request.nvr().release());
        }
        String tag = imageTag(id);
        int timeoutSeconds = request.options().timeoutSeconds();
        String network = request.options().network();
        log.add("[kiln] docker build, network " + network + ", timeout " + timeoutSeconds + "s, tag " + tag);

        BuildOutput out;
        boolean timedOut = false;
        boolean canceled = false;
        try (InputStream context = Files.newInputStream(tar)) {
            out = docker.build(context, source.dockerfilePath(), network, labels, tag);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            while (true) {
                if (run.canceledBy != null) {
                    canceled = true;
                    break;
                }
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    timedOut = true;
                    break;
                }
                String line = out.nextLine(Math.min(200, left));
                if (line != null) {
                    log.add(line);
                } else if (out.isDone() && !out.hasPendingLines()) {
                    break;
                }
                log.flushIfDue();
            }
        }
        if (canceled || timedOut) {
            out.stop();
            for (String container : out.containers()) {
                try {
                    docker.removeContainer(container);
                } catch (RuntimeException e) {
                    LOG.warnf("build %s: could not remove intermediate container %s: %s", id, container, e.getMessage());
                }
            }
        }
        String line;
        while ((line = out.nextLine(0)) != null) {
            log.add(line);
        }
        if (canceled) {
            return canceled(run, log);
        }
        if (timedOut) {
            throw new BuildFailure(Stage.BUILD, "timeout", "The build did not finish within " + timeoutSeconds
                    + " seconds and was stopped; make the slow step faster or ask for a longer build timeout.", false);
        }
        if (out.error() != null) {
            throw new BuildFailure(Stage.BUILD, "build-step-failed", "The Docker build failed: " + out.error()
                    + ". Fix the failing instruction in " + source.dockerfilePath() + " and submit again.", false);
        }
        if (out.failure() != null) {
            Throwable f = out.failure();
            if (f instanceof DockerException) {
                throw new BuildFailure(Stage.BUILD, "build-step-failed", "The Docker build failed: "
                        + oneLine(f.getMessage()) + ". Fix " + source.dockerfilePath() + " and submit again.", false, f);
            }
            throw new DockerUnavailableException(docker.host(), f);
        }
        InspectImageResponse image = docker.inspectImage(tag).orElseThrow(() -> new BuildFailure(Stage.BUILD,
                "build-step-failed", "The Docker build ended without an image; check the build log of "
                        + source.dockerfilePath() + " and submit again.", true));
        log.add("[kiln] built " + image.getId());
        log.flush();
        return completed(request, image);
    }

    private KilnEvent canceled(Running run, LogBatcher log) {
        log.add("[kiln] build canceled by " + run.canceledBy);
        log.flush();
        return new BuildCanceled(run.buildId, Stage.BUILD, run.canceledBy, Instant.now());
    }

    /** The image of an earlier run of this build, when the daemon still has it (a redelivered request). */
    private Optional<BuildCompleted> alreadyBuilt(BuildRequested request) {
        try {
            return docker.inspectImage(imageTag(request.buildId()))
                    .filter(i -> i.getConfig() != null && i.getConfig().getLabels() != null
                            && request.buildId().equals(i.getConfig().getLabels().get(LABEL_BUILD_ID)))
                    .map(i -> completed(request, i));
        } catch (RuntimeException e) {
            LOG.warnf("build %s: cannot look for an earlier image: %s", request.buildId(), e.getMessage());
            return Optional.empty();
        }
    }

    private BuildCompleted completed(BuildRequested request, InspectImageResponse image) {
        Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null
                ? Map.of() : image.getConfig().getLabels();
        long size = image.getSize() == null ? 0 : image.getSize();
        return new BuildCompleted(request.buildId(), request.component(), request.scratch(), image.getId(),
                docker.host(), request.nvr(), labels.get(LABEL_PARENT_IMAGE), labels.get(LABEL_PARENT_DIGEST), labels,
                size, contentManifest(image.getId()), Instant.now());
    }

    private List<String> contentManifest(String imageId) {
        try {
            Optional<byte[]> dpkg = docker.readFile(imageId, ContentManifest.DPKG_STATUS);
            if (dpkg.isPresent()) {
                return ContentManifest.fromDpkgStatus(new String(dpkg.get(), StandardCharsets.UTF_8));
            }
            Optional<byte[]> apk = docker.readFile(imageId, ContentManifest.APK_INSTALLED);
            if (apk.isPresent()) {
                return ContentManifest.fromApkInstalled(new String(apk.get(), StandardCharsets.UTF_8));
            }
        } catch (RuntimeException e) {
            LOG.warnf("cannot read the package database of %s: %s", imageId, e.getMessage());
        }
        return List.of();
    }

    private static String describe(BuildRequested request) {
        var s = request.source();
        return s.kind() == dev.kiln.events.Source.Kind.CONTEXT ? "context " + s.contextDigest()
                : s.gitUrl() + " " + (s.gitCommit() != null ? s.gitCommit() : s.gitRef());
    }

    private static String oneLine(String s) {
        return s == null ? "no details" : s.replaceAll("\\s+", " ").strip();
    }

    private static <V> Map<String, V> lru() {
        return Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        });
    }
}
