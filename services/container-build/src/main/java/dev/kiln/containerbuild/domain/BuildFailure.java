package dev.kiln.containerbuild.domain;

import dev.kiln.events.Stage;

/** A build cannot go on: becomes a {@code build.failed} event with this stage, reason code and sentence. */
public class BuildFailure extends Exception {
    private final Stage stage;
    private final String reason;
    private final boolean transientFailure;

    public BuildFailure(Stage stage, String reason, String message, boolean transientFailure) {
        super(message);
        this.stage = stage;
        this.reason = reason;
        this.transientFailure = transientFailure;
    }

    public BuildFailure(Stage stage, String reason, String message, boolean transientFailure, Throwable cause) {
        this(stage, reason, message, transientFailure);
        initCause(cause);
    }

    public Stage stage() {
        return stage;
    }

    public String reason() {
        return reason;
    }

    public boolean transientFailure() {
        return transientFailure;
    }
}
