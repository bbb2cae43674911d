package dev.kiln.events;

import java.time.Instant;

/** A container-build worker took the build. */
public record BuildStarted(String buildId, String workerId, String dockerHost, Instant time) implements KilnEvent {
    public BuildStarted {
        Require.text(buildId, "buildId");
        Require.text(workerId, "workerId");
        Require.text(dockerHost, "dockerHost");
        Require.present(time, "time");
    }
}
