package dev.kiln.registrypush.client;

import java.io.IOException;

/**
 * The Docker daemon refused or failed a request made on Jib's behalf. An {@link IOException} so that it travels
 * through Jib's checked signatures; {@link #imageMissing()} tells a missing image from an unreachable daemon.
 */
public class DaemonException extends IOException {
    private final boolean imageMissing;

    public DaemonException(String message, boolean imageMissing, Throwable cause) {
        super(message, cause);
        this.imageMissing = imageMissing;
    }

    public boolean imageMissing() {
        return imageMissing;
    }
}
