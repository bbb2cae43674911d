package dev.kiln.containerbuild.service;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import dev.kiln.containerbuild.client.BuildOutput;
import dev.kiln.containerbuild.client.CpuQuotaHttpClient;
import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.client.DockerUnavailableException;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.containerbuild.inspect.BuiltImages;
import dev.kiln.containerbuild.preflight.Preflight;
import dev.kiln.containerbuild.preflight.PreflightContext;
import dev.kiln.containerbuild.source.ContextArchives;
import dev.kiln.containerbuild.source.SourceFetcher;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.support.docker.DaemonErrors;
import dev.kiln.support.source.Archives;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One attempt at one build: fetch the source, check the daemon, run the preflight plugins, run the isolated
 * {@code docker build} while streaming its log, and inspect the result. Its outcome is the event to send
 * ({@code build.completed}, {@code build.failed} or {@code build.canceled}); {@link BuildService} decides whether a
 * transient failure is tried again. A worker that is stopping ends the attempt with {@link HandedBack}.
 */
@ApplicationScoped
public class BuildAttempt {
    private static final Logger LOG = Logger.getLogger(BuildAttempt.class);

    @Inject
    KilnConfig config;

    @Inject
    DockerDaemon docker;

    @Inject
    SourceFetcher sources;

    @Inject
    Preflight preflight;

    @Inject
    BuiltImages images;

    /** How the daemon's build stream ended. */
    private enum Ended { DONE, CANCELED, TIMED_OUT, HANDED_BACK }

    /** The build noticed that the worker is stopping: it ends without an outcome. */
    static final class HandedBack extends RuntimeException {
        HandedBack() {
            super(null, null, false, false);
        }
    }

    /** Ends the build without an outcome when the worker is stopping. */
    static void handBackIfStopping(RunningBuilds.Run run) {
        if (run.handBack()) {
            throw new HandedBack();
        }
    }

    /** The outcome of one attempt; throws {@link HandedBack} when the worker stopped it. */
    public KilnEvent run(BuildRequested request, RunningBuilds.Run run, LogBatcher log) {
        String id = request.buildId();
        Path work = null;
        try {
            work = Files.createTempDirectory("kiln-build-");
            SourceFetcher.Fetched source = sources.fetch(request, work);
            log.add("[kiln] source: " + describe(request, source) + ", Dockerfile " + source.dockerfilePath());
            handBackIfStopping(run);
            if (run.canceledBy() != null) {
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
            if (run.canceledBy() != null) {
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

    /** The outcome for a build canceled while it ran. */
    static KilnEvent canceled(RunningBuilds.Run run, LogBatcher log) {
        log.add("[kiln] build canceled by " + run.canceledBy());
        log.flush();
        return new BuildCanceled(run.buildId(), Stage.BUILD, run.canceledBy(), Instant.now());
    }

    private KilnEvent build(BuildRequested request, RunningBuilds.Run run, SourceFetcher.Fetched source,
            PreflightContext preflight, Path work, LogBatcher log) throws IOException, InterruptedException, BuildFailure {
        String id = request.buildId();
        // the daemon gets the context as it came (modes, times, links), with the pinned Dockerfile in place
        Path tar = work.resolve("context.tar");
        byte[] dockerfile = preflight.dockerfile().getBytes(StandardCharsets.UTF_8);
        if (ContextArchives.rewrite(source.archive(), tar, Map.of(source.dockerfilePath(), dockerfile)).isEmpty()) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "There is no Dockerfile at "
                    + source.dockerfilePath() + " in the build context; add it, or submit again with the right path.",
                    false);
        }
        String tag = BuildImageTag.of(id);
        int timeoutSeconds = request.options().timeoutSeconds();
        DockerDaemon.Limits limits = new DockerDaemon.Limits(config.build().memoryBytes(),
                config.build().cpusetCpus().orElse(null), config.build().cpuShares());
        log.add("[kiln] docker build, network " + preflight.network() + ", timeout " + timeoutSeconds + "s, "
                + describe(limits, config.build().cpus()) + ", unprivileged, tag " + tag);

        BuildOutput out;
        Ended ended;
        try (InputStream context = Files.newInputStream(tar)) {
            out = docker.build(context, source.dockerfilePath(), preflight.network(), new HashMap<>(preflight.labels()), tag,
                    limits);
            ended = follow(out, run, timeoutSeconds, log);
        }
        if (ended != Ended.DONE) {
            abandon(id, out);
        }
        String line;
        while ((line = out.nextLine(0)) != null) {
            log.add(line);
        }
        switch (ended) {
            case HANDED_BACK -> throw new HandedBack();
            case CANCELED -> {
                return canceled(run, log);
            }
            case TIMED_OUT -> throw new BuildFailure(Stage.BUILD, "timeout", "The build did not finish within "
                    + timeoutSeconds + " seconds and was stopped; make the slow step faster or ask for a longer build "
                    + "timeout.", false);
            case DONE -> {
                return result(request, run, source, out, tag, log);
            }
        }
        throw new IllegalStateException(ended.name());
    }

    /** Streams the build log until the build ends, is canceled or handed back, or runs out of time. */
    private static Ended follow(BuildOutput out, RunningBuilds.Run run, int timeoutSeconds, LogBatcher log)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        while (true) {
            if (run.handBack()) {
                return Ended.HANDED_BACK;
            }
            if (run.canceledBy() != null) {
                return Ended.CANCELED;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                return Ended.TIMED_OUT;
            }
            String line = out.nextLine(Math.min(200, left));
            if (line != null) {
                log.add(line);
            } else if (out.isDone() && !out.hasPendingLines()) {
                return Ended.DONE;
            }
            log.flushIfDue();
        }
    }

    /** Stops a build that is not wanted any more: the stream closes (the daemon cancels it) and its containers go. */
    private void abandon(String id, BuildOutput out) {
        out.stop();
        for (String container : out.containers()) {
            try {
                docker.removeContainer(container);
            } catch (RuntimeException e) {
                LOG.warnf("build %s: could not remove intermediate container %s: %s", id, container, e.getMessage());
            }
        }
    }

    /** The outcome of a build whose stream ended by itself: the image, or why there is none. */
    private KilnEvent result(BuildRequested request, RunningBuilds.Run run, SourceFetcher.Fetched source,
            BuildOutput out, String tag, LogBatcher log) throws BuildFailure {
        if (out.error() != null) {
            throw new BuildFailure(Stage.BUILD, "build-step-failed", "The Docker build failed: " + out.error()
                    + ". Fix the failing instruction in " + source.dockerfilePath() + " and submit again.", false);
        }
        if (out.failure() != null) {
            Throwable f = out.failure();
            if (f instanceof DockerException) {
                throw new BuildFailure(Stage.BUILD, "build-step-failed", "The Docker build failed: "
                        + DaemonErrors.text(f) + ". Fix " + source.dockerfilePath() + " and submit again.", false, f);
            }
            throw new DockerUnavailableException(docker.host(), f);
        }
        InspectImageResponse image = docker.inspectImage(tag).orElseThrow(() -> new BuildFailure(Stage.BUILD,
                "build-step-failed", "The Docker build ended without an image; check the build log of "
                        + source.dockerfilePath() + " and submit again.", true));
        log.add("[kiln] built " + image.getId() + ": " + BuiltImages.diffIds(image).size() + " layers, "
                + image.getSize() + " bytes");
        BuildCompleted completed = images.completed(request, BuiltImages.run(request, config.workerId(), run.startedAt()),
                image, log::add);
        log.add(BuiltImages.describe(completed.layers()));
        log.add("[kiln] content manifest: " + completed.contentManifest().size() + " packages (CycloneDX purls)");
        log.flush();
        return completed;
    }

    private static String describe(DockerDaemon.Limits limits, BigDecimal cpus) {
        return "memory " + (limits.memoryBytes() > 0 ? limits.memoryBytes() / (1024 * 1024) + " MiB" : "unlimited")
                + (cpus.signum() > 0 ? ", cpus " + cpus.stripTrailingZeros().toPlainString() + " (cpu quota "
                        + CpuQuotaHttpClient.quotaMicros(cpus) + "/" + CpuQuotaHttpClient.PERIOD_MICROS + " µs)"
                        : ", cpus unlimited")
                + (limits.cpusetCpus() != null ? ", cpuset " + limits.cpusetCpus() : "")
                + (limits.cpuShares() > 0 ? ", cpu shares " + limits.cpuShares() : "");
    }

    private static String describe(BuildRequested request, SourceFetcher.Fetched fetched) {
        Source s = request.source();
        return s.kind() == Source.Kind.CONTEXT ? "context " + s.contextDigest()
                : s.gitUrl() + " " + (fetched.commit() != null ? fetched.commit() : s.gitCommit() != null ? s.gitCommit()
                        : s.gitRef());
    }
}
