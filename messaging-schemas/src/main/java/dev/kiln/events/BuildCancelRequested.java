package dev.kiln.events;

import java.time.Instant;

/** Someone asked to cancel a build. */
public record BuildCancelRequested(String buildId, String requestedBy, String reason, Instant time) implements KilnEvent {
    public BuildCancelRequested {
        Require.text(buildId, "buildId");
        Require.text(requestedBy, "requestedBy");
        Require.present(time, "time");
    }
}
