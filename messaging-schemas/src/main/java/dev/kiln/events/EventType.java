package dev.kiln.events;

import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * The event catalogue: one Kafka topic per event type, a versioned CloudEvents type and a JSON Schema each.
 * A breaking change to a record is a new {@code v2} constant, never an edit of a {@code v1} one.
 */
public enum EventType {
    BUILD_REQUESTED("build.requested", BuildRequested.class),
    BUILD_CANCEL_REQUESTED("build.cancel-requested", BuildCancelRequested.class),
    BUILD_STARTED("build.started", BuildStarted.class),
    BUILD_LOG("build.log", BuildLog.class),
    BUILD_COMPLETED("build.completed", BuildCompleted.class),
    BUILD_FAILED("build.failed", BuildFailed.class),
    BUILD_CANCELED("build.canceled", BuildCanceled.class),
    IMAGE_PUSHED("image.pushed", ImagePushed.class),
    QA_RESULT("qa.result", QaResult.class),
    IMAGE_SIGNED("image.signed", ImageSigned.class),
    GATING_DECISION("gating.decision", GatingDecision.class),
    IMAGE_PROMOTED("image.promoted", ImagePromoted.class),
    BUILD_STATE_CHANGED("build.state.changed", BuildStateChanged.class);

    /** Base of every {@code ce_dataschema}: the schema file name is appended. */
    public static final String SCHEMA_BASE = "https://kiln.dev/schemas/";

    private final String name;
    private final Class<? extends KilnEvent> recordType;

    EventType(String name, Class<? extends KilnEvent> recordType) {
        this.name = name;
        this.recordType = recordType;
    }

    /** The Kafka topic, e.g. {@code kiln.build.requested}. */
    public String topic() {
        return "kiln." + name;
    }

    /** The dead-letter topic for poison messages of this type. */
    public String deadLetterTopic() {
        return topic() + ".dlq";
    }

    /** The CloudEvents type, e.g. {@code dev.kiln.build.requested.v1}. */
    public String ceType() {
        return "dev.kiln." + name + ".v1";
    }

    /** Name of the schema resource under {@code /schemas/}. */
    public String schemaFile() {
        return name + ".v1.json";
    }

    /** Classpath location of the JSON Schema. */
    public String schemaResource() {
        return "/schemas/" + schemaFile();
    }

    public URI dataSchema() {
        return URI.create(SCHEMA_BASE + schemaFile());
    }

    public Class<? extends KilnEvent> recordType() {
        return recordType;
    }

    public static EventType of(KilnEvent event) {
        return of(event.getClass());
    }

    public static EventType of(Class<? extends KilnEvent> type) {
        return Arrays.stream(values()).filter(t -> t.recordType == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a Kiln event: " + type));
    }

    public static Optional<EventType> byCeType(String ceType) {
        return Arrays.stream(values()).filter(t -> t.ceType().equals(ceType)).findFirst();
    }

    public static Optional<EventType> byTopic(String topic) {
        return Arrays.stream(values()).filter(t -> t.topic().equals(topic)).findFirst();
    }
}
