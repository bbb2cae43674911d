package dev.kiln.containerbuild.service;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.ImageHistory;
import dev.kiln.containerbuild.client.BuildOutput;
import dev.kiln.containerbuild.client.CpuQuotaHttpClient;
import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.client.DockerUnavailableException;
import dev.kiln.containerbuild.client.ImageFiles;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.containerbuild.preflight.Preflight;
import dev.kiln.containerbuild.preflight.PreflightContext;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.ImageLayer;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import dev.kiln.support.messaging.RetryPolicy;
import dev.kiln.support.source.Archives;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Runs builds: fetch the source, pin the parent image, run the isolated {@code docker build}, stream its log, inspect
 * the result. Every outcome is an event: {@code build.completed}, {@code build.failed} or {@code build.canceled}.
 * Up to {@code kiln.build.concurrency} builds run at once (the consumer decides how many calls arrive together); the
 * running ones are kept by build id so that a cancel finds its build and a second request for a build that is still
 * running here waits for its outcome instead of building it twice. A worker that is shutting down ({@link #stop})
 * stops its running builds without an outcome, so that another worker builds them.
 */
@ApplicationScoped
public class BuildService {
    private static final Logger LOG = Logger.getLogger(BuildService.class);

    public static final String LABEL_BUILD_ID = dev.kiln.support.docker.KilnLabels.BUILD_ID;
    public static final String LABEL_PARENT_IMAGE = dev.kiln.support.docker.KilnLabels.PARENT_IMAGE;
    public static final String LABEL_PARENT_DIGEST = dev.kiln.support.docker.KilnLabels.PARENT_DIGEST;
    private static final int REMEMBERED = 1000;

    @Inject
    KilnConfig config;

    @Inject
    DockerDaemon docker;

    @Inject
    SourceFetcher sources;

    @Inject
    BuildEvents events;

    @Inject
    Preflight preflight;

    private final Object lock = new Object();
    /** Builds running here: build id → run. Guarded by {@link #lock}. */
    private final Map<String, Running> running = new HashMap<>();
    /** Cancel requests for builds that have not arrived yet: build id → who asked. */
    private final Map<String, String> canceledBeforeStart = lru();
    /** Builds this instance ended without an image (failed, canceled): a redelivered request gets the same answer. */
    private final Map<String, KilnEvent> endedWithoutImage = lru();
    /** Set once by {@link #stop}: the worker is shutting down. Guarded by {@link #lock}. */
    private boolean stopping;

    private static final class Running {
        final String buildId;
        volatile String canceledBy;
        /** The worker is shutting down: the build stops and ends without an outcome, for another worker to build. */
        volatile boolean handBack;

        Running(String buildId) {
            this.buildId = buildId;
        }
    }

    /** The tag a build's image gets in the builder's daemon. */
    public static String imageTag(String buildId) {
        return dev.kiln.support.docker.BuildImageTag.of(buildId);
    }

    public String workerId() {
        return config.workerId();
    }

    /**
     * Handles one {@code build.requested}. Returns true after the outcome event is acknowledged by the broker, false
     * when the worker is shutting down and the build has no outcome: it was stopped, or not started, and is left to
     * the worker that gets the request next.
     */
    public boolean handle(BuildRequested request) {
        String id = request.buildId();
        Running run = register(id);
        try {
            if (run.handBack) {
                LOG.infof("worker %s is stopping: build %s not started, left to the group", workerId(), id);
                return false;
            }
            Optional<BuildCompleted> built = alreadyBuilt(request);
            if (built.isPresent()) {
                LOG.infof("build %s was already built here as %s: sending build.completed again", id,
                        built.get().imageId());
                events.publish(built.get());
                return true;
            }
            KilnEvent ended = endedWithoutImage.get(id);
            if (ended != null) {
                LOG.infof("build %s already ended here (%s): sending the outcome again", id,
                        ended.getClass().getSimpleName());
                events.publish(ended);
                return true;
            }
            if (run.canceledBy != null) {
                LOG.infof("build %s was canceled by %s before it started", id, run.canceledBy);
                BuildCanceled canceled = new BuildCanceled(id, Stage.BUILD, run.canceledBy, Instant.now());
                endedWithoutImage.put(id, canceled);
                events.publish(canceled);
                return true;
            }
            return buildAndReport(request, run);
        } finally {
            synchronized (lock) {
                running.remove(id, run);
                lock.notifyAll();
            }
        }
    }

    /**
     * Makes {@code id} a running build of this worker, with a cancel that came before it. Another request for the same
     * build while it runs here (the record delivered again, e.g. after a rebalance gave its partition back) waits until
     * that run ended and then gets its outcome from {@link #alreadyBuilt} or {@link #endedWithoutImage}. The wait is
     * not interruptible: the run it waits for ends on its own (outcome, timeout or cancel).
     */
    private Running register(String id) {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                if (running.containsKey(id)) {
                    LOG.infof("build %s is already running here: waiting for its outcome", id);
                }
                while (running.containsKey(id)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                Running run = new Running(id);
                run.canceledBy = canceledBeforeStart.remove(id);
                run.handBack = stopping;
                running.put(id, run);
                return run;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * build.started, the build with its retries, then the outcome event (true); false when the worker stopped the
     * build first. A transient failure (daemon, hub or parent registry away) is tried again with the shared backoff
     * ({@code kiln.messaging.retry.*}) until {@code kiln.messaging.retry.give-up-after} has passed since the first try;
     * the build is canceled or handed back meanwhile as at any other time. Then the transient failure is its outcome.
     * A build that failed or was canceled because the worker stopped it (interrupted, its stream closed)
     * has no outcome either: only an image is reported once the worker is stopping.
     */
    private boolean buildAndReport(BuildRequested request, Running run) {
        String id = request.buildId();
        events.publish(new BuildStarted(id, workerId(), docker.host(), Instant.now()));
        LogBatcher log = new LogBatcher(id, events);
        RetryPolicy retry = RetryPolicy.configured();
        Instant firstTried = Instant.now();
        KilnEvent outcome;
        try {
            for (int attempt = 1;; attempt++) {
                outcome = run(request, run, log);
                if (!(outcome instanceof BuildFailed failed) || run.canceledBy != null || run.handBack
                        || Thread.currentThread().isInterrupted() || !failed.transientFailure()
                        || retry.givesUp(firstTried)) {
                    break;
                }
                Duration wait = retry.delay(attempt);
                LOG.warnf("build %s: attempt %d failed (%s), trying again in %s", id, attempt, failed.reason(), wait);
                log.add("[kiln] attempt " + attempt + " failed (" + failed.reason() + "): " + failed.message()
                        + " Trying again in " + wait.toMillis() / 1000.0 + "s.");
                log.flush();
                if (!pause(run, wait)) {
                    handBackIfStopping(run);
                    outcome = canceled(run, log);
                    break;
                }
            }
            if (!(outcome instanceof BuildCompleted)) {
                handBackIfStopping(run);
            }
        } catch (HandedBack e) {
            LOG.infof("worker %s is stopping: build %s handed back to the group", workerId(), id);
            log.add("[kiln] worker " + workerId() + " is stopping: build handed back to the group");
            log.flush();
            return false;
        }
        if (!(outcome instanceof BuildCompleted)) {
            endedWithoutImage.put(id, outcome);
        }
        events.publish(outcome);
        prune();
        return true;
    }

    /** Daemon hygiene after a build: old dangling images go, so the worker's disk use stays bounded. Best effort. */
    private void prune() {
        try {
            long freed = docker.pruneDanglingImages(config.build().pruneAfter());
            if (freed > 0) {
                LOG.infof("pruned dangling images older than %s: %d bytes freed", config.build().pruneAfter(), freed);
            }
        } catch (RuntimeException e) {
            LOG.debugf("pruning dangling images failed: %s", e.getMessage());
        }
    }

    /** Waits, unless the build is canceled or handed back meanwhile (false). */
    private static boolean pause(Running run, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (run.canceledBy != null || run.handBack) {
                    return false;
                }
                Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return run.canceledBy == null && !run.handBack;
    }

    /** Ends the build without an outcome when the worker is stopping. */
    private static void handBackIfStopping(Running run) {
        if (run.handBack) {
            throw new HandedBack();
        }
    }

    /** A build noticed that the worker is stopping: it ends without an outcome. */
    private static final class HandedBack extends RuntimeException {
        HandedBack() {
            super(null, null, false, false);
        }
    }

    /**
     * The worker is shutting down (SIGTERM: a rolling update, a scale-down, an eviction): every running build stops
     * as a cancel stops it (the docker build stream is closed, so the daemon cancels the build, and the intermediate
     * containers are removed) but sends no outcome, and requests that arrive from now on are not started; for each,
     * {@link #handle} returns false, so that the record stays unacknowledged and the worker that gets its partition
     * next builds it. Waits up to {@code wait} for the running builds to end.
     */
    public void stop(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            stopping = true;
            running.values().forEach(run -> run.handBack = true);
            try {
                while (!running.isEmpty()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        LOG.warnf("worker %s is stopping: builds %s did not end within %s", workerId(),
                                running.keySet(), wait);
                        return;
                    }
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True once {@link #stop} was called. */
    public boolean isStopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    /**
     * Handles a cancel request: stops the build when it is the one running here, or remembers it so that the request
     * is skipped when it arrives. Returns true when it stopped a running build.
     */
    public boolean cancel(BuildCancelRequested request) {
        synchronized (lock) {
            Running run = running.get(request.buildId());
            if (run != null) {
                run.canceledBy = request.requestedBy();
                return true;
            }
            if (!endedWithoutImage.containsKey(request.buildId())) {
                canceledBeforeStart.put(request.buildId(), request.requestedBy());
            }
            return false;
        }
    }

    private KilnEvent run(BuildRequested request, Running run, LogBatcher log) {
        String id = request.buildId();
        Path work = null;
        try {
            work = Files.createTempDirectory("kiln-build-");
            SourceFetcher.Fetched source = sources.fetch(request, work);
            log.add("[kiln] source: " + describe(request, source) + ", Dockerfile " + source.dockerfilePath());
            handBackIfStopping(run);
            if (run.canceledBy != null) {
                return canceled(run, log);
            }
            try {
                docker.ping();
            } catch (DockerUnavailableException e) {
                throw new BuildFailure(Stage.PREFLIGHT, "docker-unavailable", "The builder's Docker daemon is not reachable ("
                        + e.getMessage() + "); the build can be tried again once the daemon is back.", true, e);
            }
            PreflightContext context = new PreflightContext(request, source.dockerfilePath(), source.dockerfile(),
                    source.commit(), log::add, Instant.now());
            preflight.run(context);
            handBackIfStopping(run);
            if (run.canceledBy != null) {
                return canceled(run, log);
            }
            return build(request, run, source, context, work, log);
        } catch (BuildFailure f) {
            log.add("[kiln] " + f.stage().wireName() + " failed: " + f.getMessage());
            log.flush();
            return new BuildFailed(id, f.stage(), f.reason(), f.getMessage(), f.transientFailure(), Instant.now());
        } catch (DockerUnavailableException e) {
            log.add("[kiln] the Docker daemon is not reachable: " + e.getMessage());
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
            Archives.deleteTree(work);
        }
    }

    private KilnEvent build(BuildRequested request, Running run, SourceFetcher.Fetched source, PreflightContext preflight,
            Path work, LogBatcher log) throws IOException, InterruptedException, BuildFailure {
        String id = request.buildId();
        // the daemon gets the context as it came (modes, times, links), with the pinned Dockerfile in place
        Path tar = work.resolve("context.tar");
        byte[] dockerfile = preflight.dockerfile().getBytes(StandardCharsets.UTF_8);
        if (ContextArchives.rewrite(source.archive(), tar, Map.of(source.dockerfilePath(), dockerfile)).isEmpty()) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "There is no Dockerfile at "
                    + source.dockerfilePath() + " in the build context; add it, or submit again with the right path.",
                    false);
        }
        Map<String, String> labels = new HashMap<>(preflight.labels());
        String tag = imageTag(id);
        int timeoutSeconds = request.options().timeoutSeconds();
        String network = preflight.network();
        DockerDaemon.Limits limits = new DockerDaemon.Limits(config.build().memoryBytes(),
                config.build().cpusetCpus().orElse(null), config.build().cpuShares());
        BigDecimal cpus = config.build().cpus();
        log.add("[kiln] docker build, network " + network + ", timeout " + timeoutSeconds + "s, memory "
                + (limits.memoryBytes() > 0 ? limits.memoryBytes() / (1024 * 1024) + " MiB" : "unlimited")
                + (cpus.signum() > 0 ? ", cpus " + cpus.stripTrailingZeros().toPlainString() + " (cpu quota "
                        + CpuQuotaHttpClient.quotaMicros(cpus) + "/" + CpuQuotaHttpClient.PERIOD_MICROS + " µs)"
                        : ", cpus unlimited")
                + (limits.cpusetCpus() != null ? ", cpuset " + limits.cpusetCpus() : "")
                + (limits.cpuShares() > 0 ? ", cpu shares " + limits.cpuShares() : "") + ", unprivileged, tag " + tag);

        BuildOutput out;
        boolean timedOut = false;
        boolean canceled = false;
        boolean handedBack = false;
        try (InputStream context = Files.newInputStream(tar)) {
            out = docker.build(context, source.dockerfilePath(), network, labels, tag, limits);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            while (true) {
                if (run.handBack) {
                    handedBack = true;
                    break;
                }
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
        if (canceled || timedOut || handedBack) {
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
        if (handedBack) {
            throw new HandedBack();
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
                        + dev.kiln.support.docker.DaemonErrors.text(f) + ". Fix " + source.dockerfilePath()
                        + " and submit again.", false, f);
            }
            throw new DockerUnavailableException(docker.host(), f);
        }
        InspectImageResponse image = docker.inspectImage(tag).orElseThrow(() -> new BuildFailure(Stage.BUILD,
                "build-step-failed", "The Docker build ended without an image; check the build log of "
                        + source.dockerfilePath() + " and submit again.", true));
        log.add("[kiln] built " + image.getId() + ": " + diffIds(image).size() + " layers, " + image.getSize() + " bytes");
        BuildCompleted completed = completed(request, image, log::add);
        log.add(ImageLayers.describe(completed.layers()));
        log.add("[kiln] content manifest: " + completed.contentManifest().size() + " packages (CycloneDX purls)");
        log.flush();
        return completed;
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
                    .map(i -> completed(request, i, line -> LOG.infof("build %s: %s", request.buildId(), line)));
        } catch (RuntimeException e) {
            LOG.warnf("build %s: cannot look for an earlier image: %s", request.buildId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The outcome for an image in the daemon; {@code note} gets what the build log should say about it. */
    private BuildCompleted completed(BuildRequested request, InspectImageResponse image, Consumer<String> note) {
        Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null
                ? Map.of() : image.getConfig().getLabels();
        long size = image.getSize() == null ? 0 : image.getSize();
        return new BuildCompleted(request.buildId(), request.component(), request.scratch(), image.getId(),
                docker.host(), request.nvr(), labels.get(LABEL_PARENT_IMAGE), labels.get(LABEL_PARENT_DIGEST), labels,
                size, contentManifest(image.getId(), note), layers(image, note), Instant.now());
    }

    /** The image's layers, bottom first, with the size and instruction of the history step that made each. */
    private List<ImageLayer> layers(InspectImageResponse image, Consumer<String> note) {
        List<ImageHistory> history;
        try {
            history = docker.history(image.getId());
        } catch (DockerException e) {
            LOG.warnf("cannot read the history of %s: %s", image.getId(), e.getMessage());
            history = List.of();
        }
        ImageLayers.Result result = ImageLayers.lineUp(diffIds(image), history,
                id -> docker.inspectImage(id).map(BuildService::diffIds));
        if (result.unmatched() > 0) {
            note.accept("[kiln] layers: the image history does not account for " + result.unmatched() + " of "
                    + result.layers().size() + " layers; their sizes and instructions are unknown (0, none)");
        }
        return result.layers();
    }

    /** The installed packages as CycloneDX component identifiers (package URLs), read from the image's databases. */
    private List<String> contentManifest(String imageId, Consumer<String> note) {
        try (ImageFiles files = docker.files(imageId)) {
            return ImagePackages.read(files, note);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read the package database of %s: %s", imageId, e.getMessage());
            note.accept("[kiln] content manifest: the package database cannot be read (" + e.getMessage()
                    + "): no packages listed");
            return List.of();
        }
    }

    private static String describe(BuildRequested request, SourceFetcher.Fetched fetched) {
        var s = request.source();
        return s.kind() == dev.kiln.events.Source.Kind.CONTEXT ? "context " + s.contextDigest()
                : s.gitUrl() + " " + (fetched.commit() != null ? fetched.commit() : s.gitCommit() != null ? s.gitCommit()
                        : s.gitRef());
    }

    private static List<String> diffIds(InspectImageResponse image) {
        return image.getRootFS() == null || image.getRootFS().getLayers() == null ? List.of() : image.getRootFS().getLayers();
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
