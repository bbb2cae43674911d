package dev.kiln.containerbuild.service;

import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.containerbuild.inspect.BuiltImages;
import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import dev.kiln.support.messaging.RetryPolicy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Runs builds on this worker. Every outcome is an event: {@code build.completed}, {@code build.failed} or
 * {@code build.canceled}. Up to {@code kiln.build.concurrency} builds run at once (the consumer decides how many calls
 * arrive together); {@link RunningBuilds} keeps them by build id, so that a cancel finds its build and a second
 * request for a build that is still running here waits for its outcome instead of building it twice. Each attempt is
 * a {@link BuildAttempt}; a transient failure is tried again here. A worker that is shutting down ({@link #stop})
 * stops its running builds without an outcome, so that another worker builds them.
 */
@ApplicationScoped
public class BuildService {
    private static final Logger LOG = Logger.getLogger(BuildService.class);

    @Inject
    KilnConfig config;

    @Inject
    DockerDaemon docker;

    @Inject
    BuildEvents events;

    @Inject
    BuildAttempt attempts;

    @Inject
    BuiltImages images;

    private final RunningBuilds running = new RunningBuilds();

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
        if (running.isRunning(id)) {
            LOG.infof("build %s is already running here: waiting for its outcome", id);
        }
        RunningBuilds.Run run = running.register(id);
        try {
            if (run.handBack()) {
                LOG.infof("worker %s is stopping: build %s not started, left to the group", workerId(), id);
                return false;
            }
            Optional<BuildCompleted> built = images.alreadyBuilt(request, BuiltImages.run(request, workerId(),
                    run.startedAt()));
            if (built.isPresent()) {
                LOG.infof("build %s was already built here as %s: sending build.completed again", id,
                        built.get().imageId());
                events.publish(built.get());
                return true;
            }
            Optional<KilnEvent> ended = running.endedWithoutImage(id);
            if (ended.isPresent()) {
                LOG.infof("build %s already ended here (%s): sending the outcome again", id,
                        ended.get().getClass().getSimpleName());
                events.publish(ended.get());
                return true;
            }
            if (run.canceledBy() != null) {
                LOG.infof("build %s was canceled by %s before it started", id, run.canceledBy());
                BuildCanceled canceled = new BuildCanceled(id, Stage.BUILD, run.canceledBy(), Instant.now());
                running.endedWithoutImage(id, canceled);
                events.publish(canceled);
                return true;
            }
            return buildAndReport(request, run);
        } finally {
            running.release(run);
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
    private boolean buildAndReport(BuildRequested request, RunningBuilds.Run run) {
        String id = request.buildId();
        events.publish(new BuildStarted(id, workerId(), docker.host(), Instant.now()));
        LogBatcher log = new LogBatcher(id, events);
        RetryPolicy retry = RetryPolicy.configured();
        Instant firstTried = Instant.now();
        KilnEvent outcome;
        try {
            for (int attempt = 1;; attempt++) {
                outcome = attempts.run(request, run, log);
                if (!(outcome instanceof BuildFailed failed) || run.stopped()
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
                    BuildAttempt.handBackIfStopping(run);
                    outcome = BuildAttempt.canceled(run, log);
                    break;
                }
            }
            if (!(outcome instanceof BuildCompleted)) {
                BuildAttempt.handBackIfStopping(run);
            }
        } catch (BuildAttempt.HandedBack e) {
            LOG.infof("worker %s is stopping: build %s handed back to the group", workerId(), id);
            log.add("[kiln] worker " + workerId() + " is stopping: build handed back to the group");
            log.flush();
            return false;
        }
        if (!(outcome instanceof BuildCompleted)) {
            running.endedWithoutImage(id, outcome);
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
    private static boolean pause(RunningBuilds.Run run, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                if (run.stopped()) {
                    return false;
                }
                Thread.sleep(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !run.stopped();
    }

    /**
     * The worker is shutting down (SIGTERM: a rolling update, a scale-down, an eviction): every running build stops
     * as a cancel stops it (the docker build stream is closed, so the daemon cancels the build, and the intermediate
     * containers are removed) but sends no outcome, and requests that arrive from now on are not started; for each,
     * {@link #handle} returns false, so that the record stays unacknowledged and the worker that gets its partition
     * next builds it. Waits up to {@code wait} for the running builds to end.
     */
    public void stop(Duration wait) {
        Set<String> left = running.stop(wait);
        if (!left.isEmpty()) {
            LOG.warnf("worker %s is stopping: builds %s did not end within %s", workerId(), left, wait);
        }
    }

    /** True once {@link #stop} was called. */
    public boolean isStopping() {
        return running.isStopping();
    }

    /**
     * Handles a cancel request: stops the build when it is the one running here, or remembers it so that the request
     * is skipped when it arrives. Returns true when it stopped a running build.
     */
    public boolean cancel(BuildCancelRequested request) {
        return running.cancel(request.buildId(), request.requestedBy());
    }
}
