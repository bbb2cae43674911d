package dev.kiln.signing.domain;

import java.time.Instant;
import java.util.OptionalInt;

/** One signature as recorded in PostgreSQL; {@code lookasideIndex} is set for simple signatures only. */
public record SignatureRecord(String buildId, String registry, String repository, String reference, String digest,
        String format, String keyId, String location, OptionalInt lookasideIndex, Instant signedAt) {
}
