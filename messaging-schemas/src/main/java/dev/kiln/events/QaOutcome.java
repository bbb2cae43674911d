package dev.kiln.events;

/** ResultsDB outcomes. Only {@code PASSED} satisfies a gate; a missing result is not an outcome at all. */
public enum QaOutcome {
    PASSED, FAILED, ERROR, NEEDS_INSPECTION, QUEUED, RUNNING;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
