package dev.kiln.support.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * The headers a dead letter carries besides the original record's own (key, value and every original header are
 * kept): why it was refused, by which consumer, and where the original was. All values are UTF-8 text.
 */
public final class DeadLetterHeaders {
    /** A sentence saying why the consumer refused the record. */
    public static final String REASON = "kiln-dlq-reason";
    /** The consumer that refused it, as {@code service/channel}, e.g. {@code qa/image-pushed}. */
    public static final String CONSUMER = "kiln-dlq-consumer";
    /** The consumer group of that consumer. */
    public static final String GROUP = "kiln-dlq-group";
    /** Topic, partition and offset of the original record. */
    public static final String TOPIC = "kiln-dlq-topic";
    public static final String PARTITION = "kiln-dlq-partition";
    public static final String OFFSET = "kiln-dlq-offset";
    /** When it was dead-lettered (ISO-8601 instant). */
    public static final String TIME = "kiln-dlq-time";
    /** Prefix of every header above: taken off again when a dead letter is replayed. */
    public static final String PREFIX = "kiln-dlq-";
    /** Prefix of SmallRye's own dead-letter headers (older dead letters): taken off on replay too. */
    public static final String SMALLRYE_PREFIX = "dead-letter-";

    private DeadLetterHeaders() {
    }

    /** The last value of header {@code name} as text. */
    public static Optional<String> text(Headers headers, String name) {
        Header h = headers == null ? null : headers.lastHeader(name);
        return h == null || h.value() == null ? Optional.empty() : Optional.of(new String(h.value(), StandardCharsets.UTF_8));
    }

    /** True for a header a dead letter added: not part of the original record. */
    public static boolean added(String name) {
        return name.startsWith(PREFIX) || name.startsWith(SMALLRYE_PREFIX);
    }
}
