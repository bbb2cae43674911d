package dev.kiln.support.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdentityCacheTest {
    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final AtomicInteger asked = new AtomicInteger();

    private Optional<String> hub(String token) {
        asked.incrementAndGet();
        return token.startsWith("good") ? Optional.of("user-of-" + token) : Optional.empty();
    }

    @Test
    void keepsAnswersForTheTtl() {
        IdentityCache<String> cache = new IdentityCache<>(Duration.ofSeconds(30), 10, clock);
        assertEquals(Optional.of("user-of-good1"), cache.lookup("good1", this::hub));
        assertEquals(Optional.empty(), cache.lookup("bad", this::hub));
        clock.now = clock.now.plusSeconds(29);
        assertEquals(Optional.of("user-of-good1"), cache.lookup("good1", this::hub));
        assertEquals(Optional.empty(), cache.lookup("bad", this::hub));
        assertEquals(2, asked.get());
        clock.now = clock.now.plusSeconds(1);
        cache.lookup("good1", this::hub);
        assertEquals(3, asked.get());
    }

    @Test
    void neverKeepsAFailure() {
        IdentityCache<String> cache = new IdentityCache<>(Duration.ofSeconds(30), 10, clock);
        assertThrows(IllegalStateException.class, () -> cache.lookup("good1", t -> {
            throw new IllegalStateException("hub down");
        }));
        assertEquals(0, cache.size());
        assertEquals(Optional.of("user-of-good1"), cache.lookup("good1", this::hub));
        assertEquals(1, asked.get());
    }

    @Test
    void isBounded() {
        IdentityCache<String> cache = new IdentityCache<>(Duration.ofSeconds(30), 2, clock);
        cache.lookup("good1", this::hub);
        cache.lookup("good2", this::hub);
        cache.lookup("good1", this::hub); // good1 is now the most recently used
        cache.lookup("good3", this::hub); // pushes out good2
        assertEquals(2, cache.size());
        assertEquals(3, asked.get());
        cache.lookup("good1", this::hub);
        assertEquals(3, asked.get());
        cache.lookup("good2", this::hub);
        assertEquals(4, asked.get());
    }
}
