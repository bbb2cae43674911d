package dev.kiln.events;

import java.time.Instant;
import java.util.List;

/** A batch of build log lines; {@code sequence} starts at 0 and grows by one per batch of a build. */
public record BuildLog(String buildId, long sequence, List<String> lines, Instant time) implements KilnEvent {
    public BuildLog {
        Require.text(buildId, "buildId");
        Require.notNegative(sequence, "sequence");
        lines = Require.list(lines);
        Require.present(time, "time");
    }
}
