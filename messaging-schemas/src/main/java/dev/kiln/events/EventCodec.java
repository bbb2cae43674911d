package dev.kiln.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** JSON encoding of event records: ISO-8601 times, nulls left out, unknown fields refused. */
public final class EventCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    private EventCodec() {
    }

    public static ObjectMapper mapper() {
        return MAPPER.copy();
    }

    public static String encode(KilnEvent event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes one event. Throws {@link MalformedEventException} for anything that is not a valid event of that type
     * (bad JSON, a missing or wrong field, a constructor check), so consumers can send it to the dead-letter topic.
     */
    public static <T extends KilnEvent> T decode(String json, Class<T> type) {
        if (json == null) {
            throw new MalformedEventException("empty " + EventType.of(type).ceType() + " event");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new MalformedEventException("malformed " + EventType.of(type).ceType() + " event: " + cause.getMessage(), e);
        }
    }
}
