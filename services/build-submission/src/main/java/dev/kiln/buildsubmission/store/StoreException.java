package dev.kiln.buildsubmission.store;

/** The database could not be reached or refused a statement. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
