package dev.kiln.containerbuild.service;

import dev.kiln.events.BuildFailed;
import java.time.Duration;
import java.util.Optional;

/**
 * Transient failures (daemon unreachable, registry or hub down, local I/O) are tried again up to {@code retries}
 * times, waiting {@code backoff}, then twice that, and so on; permanent ones (a failing step, a refused parent, ...)
 * end the build at once with their reason code.
 */
public record RetryPolicy(int retries, Duration backoff) {
    public RetryPolicy {
        if (retries < 0) {
            throw new IllegalArgumentException("kiln.build.retries must not be negative");
        }
    }

    /** How long to wait before the next attempt, or empty when {@code failure} ends the build. */
    public Optional<Duration> nextDelay(BuildFailed failure, int attemptsSoFar) {
        if (!failure.transientFailure() || attemptsSoFar > retries) {
            return Optional.empty();
        }
        return Optional.of(backoff.multipliedBy(1L << Math.min(attemptsSoFar - 1, 16)));
    }
}
