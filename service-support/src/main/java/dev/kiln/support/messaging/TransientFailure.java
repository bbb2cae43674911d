package dev.kiln.support.messaging;

/**
 * Work that may succeed when tried again (a service, registry, database or daemon that is away for now). The consumer
 * template retries it with backoff and never turns it into a dead letter or a failed build.
 */
public class TransientFailure extends RuntimeException {
    public TransientFailure(String message) {
        super(message);
    }

    public TransientFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
