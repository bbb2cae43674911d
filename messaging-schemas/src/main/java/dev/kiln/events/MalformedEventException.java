package dev.kiln.events;

/** A message on a Kiln topic that is not a valid event of the topic's type: a poison message. */
public class MalformedEventException extends RuntimeException {
    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
