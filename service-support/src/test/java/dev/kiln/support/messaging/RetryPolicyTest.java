package dev.kiln.support.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.support.registry.RegistryException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4), 3, 3);

    @Test
    void boundedTriesTransientFailuresAgainUpToItsAttempts() {
        AtomicInteger calls = new AtomicInteger();
        String answer = FAST.bounded("copy", () -> {
            if (calls.incrementAndGet() < 3) {
                throw new RegistryException("registry answered 503", true, 503);
            }
            return "done";
        });
        assertEquals("done", answer);
        assertEquals(3, calls.get());

        calls.set(0);
        RegistryException last = assertThrows(RegistryException.class, () -> FAST.bounded("copy", () -> {
            calls.incrementAndGet();
            throw new RegistryException("registry answered 503", true, 503);
        }));
        assertEquals(3, calls.get(), "three attempts, then the last failure");
        assertEquals(503, last.status());
    }

    @Test
    void boundedThrowsOtherFailuresAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        RegistryException denied = new RegistryException("registry answered 403", false, 403);
        assertSame(denied, assertThrows(RegistryException.class, () -> FAST.bounded("copy", () -> {
            calls.incrementAndGet();
            throw denied;
        })));
        assertEquals(1, calls.get());
        assertThrows(IllegalStateException.class, () -> FAST.bounded("x", () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("a defect");
        }));
        assertEquals(2, calls.get(), "an unclassified failure is not retried in place either");
    }

    @Test
    void delaysDoubleUpToTheCap() {
        RetryPolicy p = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(400), 3, 3);
        for (int i = 0; i < 20; i++) {
            assertTrue(p.delay(1).toMillis() >= 50 && p.delay(1).toMillis() <= 100);
            assertTrue(p.delay(5).toMillis() >= 200 && p.delay(5).toMillis() <= 400);
        }
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(1), 3, 0));
    }
}
