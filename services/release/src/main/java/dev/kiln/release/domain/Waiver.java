package dev.kiln.release.domain;

import java.time.Instant;

/** A release engineer's decision that a failed or missing test case of one build does not block it. */
public record Waiver(String buildId, String testCase, String comment, String waivedBy, Instant time) {
}
