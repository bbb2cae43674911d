package dev.kiln.release.service;

/** The hub could not be asked who a token belongs to (down, unreachable, or answering with an error). */
public class HubUnavailableException extends RuntimeException {
    public HubUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
