package dev.kiln.events;

import java.time.Instant;

/**
 * A stage failed. {@code reason} is a stable code (e.g. {@code build-step-failed}); {@code message} is a sentence a
 * maintainer can act on; {@code transientFailure} says whether trying again may help.
 */
public record BuildFailed(String buildId, Stage stage, String reason, String message, boolean transientFailure,
        Instant time) implements KilnEvent {
    public BuildFailed {
        Require.text(buildId, "buildId");
        Require.present(stage, "stage");
        Require.text(reason, "reason");
        if (!reason.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("reason must be a lower-case code like build-step-failed, got: " + reason);
        }
        Require.text(message, "message");
        Require.present(time, "time");
    }
}
