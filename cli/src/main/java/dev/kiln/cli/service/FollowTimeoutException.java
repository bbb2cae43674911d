package dev.kiln.cli.service;

import java.time.Duration;

/** The build did not end within {@code --timeout}; it keeps running on the server. */
public class FollowTimeoutException extends RuntimeException {

    public FollowTimeoutException(String id, String state, Duration timeout) {
        super("Gave up following build " + id + " after " + timeout.toSeconds() + "s; it is still " + state
                + " on the server. Follow it again with: kiln watch " + id);
    }
}
