package dev.kiln.events;

/** The states of a build, in the order a successful build passes them. {@code FAILED} and {@code CANCELED} are the other ends. */
public enum BuildState {
    SUBMITTED, BUILDING, PUSHED, VERIFYING, PROMOTING, COMPLETE, FAILED, CANCELED;

    public boolean isTerminal() {
        return this == COMPLETE || this == FAILED || this == CANCELED;
    }
}
