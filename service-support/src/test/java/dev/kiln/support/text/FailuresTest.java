package dev.kiln.support.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void messagesNeverFallBackToClassNames() {
        assertEquals("no details given", Failures.message(new NullPointerException()));
        assertEquals("no details given", Failures.rootMessage(new IllegalStateException(new NullPointerException())));
        assertEquals("disk full", Failures.message(new IllegalStateException(new IOException("disk full"))));
    }

    @Test
    void rootMessageIsTheDeepestOne() {
        Exception e = new IllegalStateException("cannot fetch", new IOException("connection refused", new RuntimeException()));
        assertEquals("connection refused", Failures.rootMessage(e));
        assertEquals("cannot fetch", Failures.message(e));
    }
}
