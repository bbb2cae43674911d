package dev.kiln.events;

import java.time.Instant;

/** The build was stopped after a cancel request. */
public record BuildCanceled(String buildId, Stage stage, String canceledBy, Instant time) implements KilnEvent {
    public BuildCanceled {
        Require.text(buildId, "buildId");
        Require.present(stage, "stage");
        Require.present(time, "time");
    }
}
