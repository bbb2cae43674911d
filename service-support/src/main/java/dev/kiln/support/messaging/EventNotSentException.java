package dev.kiln.support.messaging;

import dev.kiln.events.EventType;
import dev.kiln.support.text.Failures;

/** The broker did not acknowledge an event in time: the caller must not commit its input. A transient failure. */
public class EventNotSentException extends RuntimeException {
    public EventNotSentException(EventType type, Throwable cause) {
        this(type.ceType() + " event", cause);
    }

    public EventNotSentException(String what, Throwable cause) {
        super("the broker did not acknowledge a " + what + ": " + Failures.message(cause), cause);
    }
}
