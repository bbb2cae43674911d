package dev.kiln.containerbuild.service;

import dev.kiln.events.KilnEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The builds running on one worker, by build id, and what the worker remembers about builds that are not running:
 * cancels that came before their build, and builds that ended without an image. This is all of the worker's
 * concurrency logic, kept free of Docker and Kafka so that {@code RunningBuildsTest} drives it with plain threads:
 * <ul>
 * <li>one run per build id: a second {@link #register} for a build that is running here (its record delivered again,
 * e.g. after a rebalance) waits until the first run is {@link #release}d;</li>
 * <li>{@link #cancel} marks a running build, or remembers the cancel for a build that has not arrived;</li>
 * <li>{@link #stop} marks every running build and every later one to be handed back, and waits for the running ones.</li>
 * </ul>
 */
public final class RunningBuilds {
    private static final int REMEMBERED = 1000;

    /** One build running here. The flags are written by other threads (cancel, stop) and read by the build's own. */
    public static final class Run {
        private final String buildId;
        private final Instant startedAt = Instant.now();
        private volatile String canceledBy;
        private volatile boolean handBack;

        Run(String buildId, String canceledBy, boolean handBack) {
            this.buildId = buildId;
            this.canceledBy = canceledBy;
            this.handBack = handBack;
        }

        public String buildId() {
            return buildId;
        }

        /** When this worker took the build (its provenance's {@code startedOn}). */
        public Instant startedAt() {
            return startedAt;
        }

        /** Who canceled the build, or null. */
        public String canceledBy() {
            return canceledBy;
        }

        /** The worker is shutting down: the build stops and ends without an outcome, for another worker to build. */
        public boolean handBack() {
            return handBack;
        }

        /** Canceled or handed back: the build should stop. */
        public boolean stopped() {
            return canceledBy != null || handBack;
        }
    }

    private final Object lock = new Object();
    /** Guarded by {@link #lock}. */
    private final Map<String, Run> running = new HashMap<>();
    /** Cancel requests for builds that have not arrived yet: build id → who asked. Guarded by {@link #lock}. */
    private final Map<String, String> canceledBeforeStart = lru();
    /** Builds this worker ended without an image (failed, canceled): a redelivered request gets the same answer. */
    private final Map<String, KilnEvent> endedWithoutImage = Collections.synchronizedMap(lru());
    /** Set once by {@link #stop}. Guarded by {@link #lock}. */
    private boolean stopping;

    /**
     * Makes {@code buildId} a running build of this worker, with a cancel that came before it, waiting first while
     * another run of the same build is registered. The wait is not interruptible: the run it waits for ends on its
     * own (outcome, timeout or cancel); an interrupt is kept for the caller.
     */
    public Run register(String buildId) {
        boolean interrupted = false;
        try {
            synchronized (lock) {
                while (running.containsKey(buildId)) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                Run run = new Run(buildId, canceledBeforeStart.remove(buildId), stopping);
                running.put(buildId, run);
                return run;
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** True while a run of {@code buildId} is registered. */
    public boolean isRunning(String buildId) {
        synchronized (lock) {
            return running.containsKey(buildId);
        }
    }

    /** The run has ended: a waiting {@link #register} of the same build, and {@link #stop}, go on. */
    public void release(Run run) {
        synchronized (lock) {
            running.remove(run.buildId, run);
            lock.notifyAll();
        }
    }

    /**
     * Cancels the build when it runs here (true), or remembers the cancel for when it arrives (false); a build that
     * already ended without an image stays as it ended.
     */
    public boolean cancel(String buildId, String by) {
        synchronized (lock) {
            Run run = running.get(buildId);
            if (run != null) {
                run.canceledBy = by;
                return true;
            }
            if (!endedWithoutImage.containsKey(buildId)) {
                canceledBeforeStart.put(buildId, by);
            }
            return false;
        }
    }

    /** Remembers how a build ended without an image, for a redelivered request. */
    public void endedWithoutImage(String buildId, KilnEvent outcome) {
        endedWithoutImage.put(buildId, outcome);
    }

    public Optional<KilnEvent> endedWithoutImage(String buildId) {
        return Optional.ofNullable(endedWithoutImage.get(buildId));
    }

    /**
     * Marks every running build, and every one registered from now on, to be handed back, then waits up to
     * {@code wait} for the running ones to be released. Returns the ids still running when the wait ended (empty
     * when all ended).
     */
    public Set<String> stop(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            stopping = true;
            running.values().forEach(run -> run.handBack = true);
            try {
                while (!running.isEmpty()) {
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        break;
                    }
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new TreeSet<>(running.keySet());
        }
    }

    /** True once {@link #stop} was called. */
    public boolean isStopping() {
        synchronized (lock) {
            return stopping;
        }
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
