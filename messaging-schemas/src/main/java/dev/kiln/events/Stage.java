package dev.kiln.events;

/** The pipeline stage an event or failure belongs to. Serialised in lower case, e.g. {@code "build"}. */
public enum Stage {
    SUBMISSION, SOURCE, PREFLIGHT, BUILD, PUSH, QA, SIGNING, RELEASE;

    @com.fasterxml.jackson.annotation.JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public static Stage fromWire(String value) {
        return Stage.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }
}
