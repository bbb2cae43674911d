package dev.kiln.support.messaging;

import dev.kiln.support.text.Failures;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Kiln's one retry policy: exponential backoff with jitter between {@code kiln.messaging.retry.initial-delay}
 * and {@code kiln.messaging.retry.max-delay}. Consumers retry transient failures with it for as long as they run. One configuration spelling for every
 * service ({@link MessagingConfig}): {@code kiln.messaging.retry.initial-delay} (ISO-8601 duration, default
 * {@code PT0.5S}), {@code kiln.messaging.retry.max-delay} (default {@code PT30S}),
 * {@code kiln.messaging.retry.unexpected-attempts} (default 3: how often an unclassified failure is
 * tried before it counts as permanent), {@code kiln.messaging.retry.attempts} (default 3: in-place tries of work a
 * caller waits for, see {@link #bounded}) and {@code kiln.messaging.retry.give-up-after} (default {@code PT15M}: how
 * long work may keep failing on a resource that belongs to one build alone, such as the builder daemon that holds
 * its image, before that build ends; see {@link #givesUp}). Shared infrastructure (the broker, PostgreSQL, the
 * registries, the hub) is waited for without a limit.
 */
public record RetryPolicy(Duration initialDelay, Duration maxDelay, int unexpectedAttempts, int attempts,
        Duration giveUpAfter) {
    private static final Logger LOG = Logger.getLogger(RetryPolicy.class);

    public RetryPolicy {
        if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("kiln.messaging.retry.max-delay must not be shorter than kiln.messaging.retry.initial-delay");
        }
        if (unexpectedAttempts < 1) {
            throw new IllegalArgumentException("kiln.messaging.retry.unexpected-attempts must be 1 or more");
        }
        if (attempts < 1) {
            throw new IllegalArgumentException("kiln.messaging.retry.attempts must be 1 or more");
        }
        if (giveUpAfter.isNegative()) {
            throw new IllegalArgumentException("kiln.messaging.retry.give-up-after must not be negative");
        }
    }

    public RetryPolicy(Duration initialDelay, Duration maxDelay, int unexpectedAttempts, int attempts) {
        this(initialDelay, maxDelay, unexpectedAttempts, attempts, Duration.ofMinutes(15));
    }

    public RetryPolicy(Duration initialDelay, Duration maxDelay, int unexpectedAttempts) {
        this(initialDelay, maxDelay, unexpectedAttempts, 3);
    }

    /** True once work first tried at {@code firstTried} has been failing for {@link #giveUpAfter()} or longer. */
    public boolean givesUp(Instant firstTried) {
        return Duration.between(firstTried, Instant.now()).compareTo(giveUpAfter) >= 0;
    }

    /** The policy as the service is configured. */
    public static RetryPolicy configured() {
        Config config = ConfigProvider.getConfig();
        return new RetryPolicy(
                config.getOptionalValue("kiln.messaging.retry.initial-delay", Duration.class).orElse(Duration.ofMillis(500)),
                config.getOptionalValue("kiln.messaging.retry.max-delay", Duration.class).orElse(Duration.ofSeconds(30)),
                config.getOptionalValue("kiln.messaging.retry.unexpected-attempts", Integer.class).orElse(3),
                config.getOptionalValue("kiln.messaging.retry.attempts", Integer.class).orElse(3),
                config.getOptionalValue("kiln.messaging.retry.give-up-after", Duration.class).orElse(Duration.ofMinutes(15)));
    }

    /**
     * Runs {@code work} up to {@link #attempts()} times: a {@linkplain FailureKind#TRANSIENT transient} failure is
     * tried again after {@link #delay(int)}; any other failure, or the last transient one, is thrown. For work a caller
     * waits for; a consumer leaves retrying to {@link EventConsumer}, without a bound.
     */
    public <T> T bounded(String what, java.util.function.Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (attempt >= attempts || !FailureKind.isTransient(e)) {
                    throw e;
                }
                LOG.warnf("%s failed (attempt %d of %d, trying again): %s", what, attempt, attempts,
                        Failures.message(e));
                if (!pause(attempt, () -> false)) {
                    throw e;
                }
            }
        }
    }

    /** The pause before try {@code attempt + 1}: doubling from the initial delay, capped, with up to 50% jitter. */
    public Duration delay(int attempt) {
        long base = initialDelay.toMillis();
        long cap = maxDelay.toMillis();
        long millis = base;
        for (int i = 1; i < attempt && millis < cap; i++) {
            millis *= 2;
        }
        millis = Math.min(cap, millis);
        long jitter = millis / 2 == 0 ? 0 : ThreadLocalRandom.current().nextLong(millis / 2 + 1);
        return Duration.ofMillis(millis - jitter);
    }

    /**
     * Sleeps the pause after {@code attempt}, waking early when {@code stop} turns true; false when the wait ended
     * because of {@code stop} or an interrupt.
     */
    public boolean pause(int attempt, BooleanSupplier stop) {
        long until = System.nanoTime() + delay(attempt).toNanos();
        try {
            while (!stop.getAsBoolean()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return true;
                }
                Thread.sleep(Math.min(200, Math.max(1, left / 1_000_000)));
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
