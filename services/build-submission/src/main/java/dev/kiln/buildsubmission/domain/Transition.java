package dev.kiln.buildsubmission.domain;

import dev.kiln.events.BuildState;

/** A state change the state machine decided on; {@code failure} is set when {@code to} is FAILED. */
public record Transition(BuildState from, BuildState to, Failure failure) {
}
