package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;
import java.time.Instant;

/** One state a build entered, and when. */
public record HistoryEntry(BuildState state, Instant at) {
}
