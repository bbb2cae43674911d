package dev.kiln.containerbuild.service;

import dev.kiln.events.BuildLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Collects a build's log lines and sends them as {@code build.log} batches: every 20 lines, after 1 s, and at the end. */
final class LogBatcher {
    static final int MAX_LINES = 20;
    static final long MAX_AGE_MILLIS = 1000;

    private final String buildId;
    private final BuildEvents events;
    private final List<String> pending = new ArrayList<>();
    private long sequence;
    private long firstPendingAt;

    LogBatcher(String buildId, BuildEvents events) {
        this.buildId = buildId;
        this.events = events;
    }

    void add(String line) {
        if (pending.isEmpty()) {
            firstPendingAt = System.nanoTime();
        }
        pending.add(line);
        if (pending.size() >= MAX_LINES) {
            flush();
        }
    }

    void flushIfDue() {
        if (!pending.isEmpty() && (System.nanoTime() - firstPendingAt) / 1_000_000 >= MAX_AGE_MILLIS) {
            flush();
        }
    }

    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        events.publish(new BuildLog(buildId, sequence++, List.copyOf(pending), Instant.now()));
        pending.clear();
    }
}
