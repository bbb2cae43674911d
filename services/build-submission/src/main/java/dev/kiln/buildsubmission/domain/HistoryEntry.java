package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;
import java.time.Instant;

/**
 * One state a build entered, and when: the time of the event that proves it, or, when {@code inferred}, of the event
 * that implied it (a later state came first; no event of this one was seen yet).
 */
public record HistoryEntry(BuildState state, Instant at, boolean inferred) {
    public HistoryEntry(BuildState state, Instant at) {
        this(state, at, false);
    }
}
