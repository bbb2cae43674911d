package dev.kiln.buildsubmission.domain;

import dev.kiln.events.Stage;

/** Why a build failed: the stage, a lower-case reason code and a sentence a maintainer can act on. */
public record Failure(Stage stage, String reason, String message) {
}
