package dev.kiln.support.messaging;

import dev.kiln.events.EventType;

/** The broker did not acknowledge an event in time: the caller must not commit its input. */
public class EventNotSentException extends RuntimeException {
    public EventNotSentException(EventType type, Throwable cause) {
        super("the broker did not acknowledge a " + type.ceType() + " event: " + cause, cause);
    }
}
