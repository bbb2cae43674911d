package dev.kiln.qa.domain;

/**
 * The check could not be carried out (daemon or registry trouble): an {@code ERROR} outcome, never a verdict on the
 * image.
 */
public class CheckFailure extends RuntimeException {
    public CheckFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
