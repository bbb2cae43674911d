package dev.kiln.events;

import java.time.Instant;

/**
 * The public summary of a build's life: one event per transition. {@code oldState} is null for the first one.
 * {@code stage} and {@code reason} are set when {@code newState} is FAILED.
 */
public record BuildStateChanged(String buildId, String component, BuildState oldState, BuildState newState,
        Stage stage, String reason, String message, Instant time) implements KilnEvent {
    public BuildStateChanged {
        Require.text(buildId, "buildId");
        Require.text(component, "component");
        Require.present(newState, "newState");
        Require.present(time, "time");
    }
}
