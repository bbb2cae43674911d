package dev.kiln.buildsubmission.client;

/** A git source could not be read; the message says what to fix. */
public class GitSourceException extends Exception {
    public GitSourceException(String message) {
        super(message);
    }

    public GitSourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
