package dev.kiln.buildsubmission.domain;

import java.time.Instant;

/** Someone asked to cancel the build. */
public record CancelRequest(String by, Instant at) {
}
