package dev.kiln.support.messaging;

import dev.kiln.events.Stage;

/**
 * Work that trying again will not mend: the consumer template ends the build with {@code kiln.build.failed} at
 * {@link #stage()}, reason code {@link #reason()} and {@link #getMessage()} as the sentence a maintainer reads
 * ({@code transient=false}).
 */
public class PermanentFailure extends RuntimeException {
    private final Stage stage;
    private final String reason;

    public PermanentFailure(Stage stage, String reason, String message) {
        this(stage, reason, message, null);
    }

    public PermanentFailure(Stage stage, String reason, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.reason = reason;
    }

    public Stage stage() {
        return stage;
    }

    public String reason() {
        return reason;
    }
}
