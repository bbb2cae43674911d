package dev.kiln.support.registry;

/** A registry refused or failed a request; {@link #isTransient()} says whether a retry may help (5xx, 429, I/O). */
public class RegistryException extends RuntimeException {
    private final boolean transientFailure;
    private final int status;

    public RegistryException(String message, boolean transientFailure) {
        this(message, transientFailure, 0);
    }

    public RegistryException(String message, boolean transientFailure, int status) {
        super(message);
        this.transientFailure = transientFailure;
        this.status = status;
    }

    public boolean isTransient() {
        return transientFailure;
    }

    /** The HTTP status, or 0 when the registry did not answer. */
    public int status() {
        return status;
    }
}
