package dev.kiln.buildsubmission.service;

/**
 * What a maintainer asks for: exactly one of {@code contextDigest} or {@code gitUrl} (with {@code gitRef}); the
 * other fields are optional.
 */
public record Submission(String component, String contextDigest, String gitUrl, String gitRef, String dockerfile,
        Boolean scratch, String requester) {
}
