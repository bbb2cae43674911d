package dev.kiln.support.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventCodec;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.Stage;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.Test;

/**
 * The template's decisions (retry, end the build, dead-letter), one record at a time. What it sends is captured
 * instead of produced: the broker side is covered by the services' tests on the real broker.
 */
class EventConsumerTest {
    private static final RetryPolicy FAST = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(5), 3);

    /** Keeps what would have been sent. */
    static final class Captured extends EventPublisher {
        final List<KilnEvent> events = new ArrayList<>();
        final List<String> records = new ArrayList<>();

        @Override
        public String service() {
            return "test-service";
        }

        @Override
        public void send(KilnEvent event) {
            events.add(event);
        }

        @Override
        public void sendRecord(String topic, String key, String value, Headers headers) {
            records.add(topic + " " + DeadLetterHeaders.text(headers, DeadLetterHeaders.REASON).orElse("-") + " "
                    + DeadLetterHeaders.text(headers, DeadLetterHeaders.CONSUMER).orElse("-"));
        }
    }

    private final Captured sent = new Captured();
    private final EventConsumer consumer = new EventConsumer(sent, FAST);
    private final AtomicBoolean acked = new AtomicBoolean();

    private Message<String> record(String payload) {
        return Message.of(payload).withAck(() -> {
            acked.set(true);
            return CompletableFuture.completedFuture(null);
        });
    }

    private static String started() {
        return EventCodec.encode(new BuildStarted("b-1", "worker-1", "tcp://docker:2376", Instant.now()));
    }

    @Test
    void aTransientFailureIsTriedAgainUntilItPasses() {
        AtomicInteger tries = new AtomicInteger();
        consumer.consume(record(started()), BuildStarted.class, Stage.BUILD, d -> {
            if (tries.incrementAndGet() < 4) {
                throw new SQLException("terminating connection due to administrator command", "57P01");
            }
        });
        assertEquals(4, tries.get());
        assertTrue(acked.get());
        assertTrue(sent.events.isEmpty(), "no build.failed for a transient failure");
        assertTrue(sent.records.isEmpty(), "no dead letter for a transient failure");
    }

    @Test
    void aPermanentFailureEndsTheBuildWithItsReason() {
        consumer.consume(record(started()), BuildStarted.class, Stage.BUILD, d -> {
            throw new PermanentFailure(Stage.PUSH, "push-refused", "the registry refused the image: name unknown");
        });
        assertTrue(acked.get());
        BuildFailed failed = (BuildFailed) sent.events.get(0);
        assertEquals(Stage.PUSH, failed.stage());
        assertEquals("push-refused", failed.reason());
        assertFalse(failed.transientFailure());
    }

    @Test
    void anUnexpectedFailureIsTriedAFewTimesThenEndsTheBuildWithoutInternals() {
        AtomicInteger tries = new AtomicInteger();
        consumer.consume(record(started()), BuildStarted.class, Stage.QA, d -> {
            tries.incrementAndGet();
            throw new NullPointerException("Cannot invoke \"String.length()\"");
        });
        assertEquals(3, tries.get());
        BuildFailed failed = (BuildFailed) sent.events.get(0);
        assertEquals(EventConsumer.INTERNAL_ERROR, failed.reason());
        assertEquals(Stage.QA, failed.stage());
        assertFalse(failed.message().contains("String.length"), failed.message());
        assertFalse(failed.message().contains("NullPointer"), failed.message());
    }

    @Test
    void aMalformedRecordIsADeadLetterWithItsReason() {
        consumer.consume(record("{not json"), BuildStarted.class, Stage.BUILD, d -> {
            throw new AssertionError("a malformed record reaches no handler");
        });
        assertTrue(acked.get());
        assertEquals(1, sent.records.size());
        assertTrue(sent.records.get(0).startsWith("kiln.build.started.dlq "), sent.records.get(0));
        assertEquals(1, consumer.deadLetterCount());
    }

    @Test
    void withoutAStageOfItsOwnAPermanentFailureIsADeadLetter() {
        consumer.consume(record(started()), BuildStarted.class, null, d -> {
            throw new PermanentFailure(null, "unknown-state", "the state cannot be applied");
        });
        assertTrue(sent.events.isEmpty());
        assertTrue(sent.records.get(0).contains("unknown-state: the state cannot be applied"), sent.records.get(0));
    }

    @Test
    void backoffDoublesUpToItsCap() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(800), 3);
        assertTrue(policy.delay(1).toMillis() <= 100 && policy.delay(1).toMillis() >= 50);
        assertTrue(policy.delay(3).toMillis() <= 400 && policy.delay(3).toMillis() >= 200);
        assertTrue(policy.delay(30).toMillis() <= 800 && policy.delay(30).toMillis() >= 400);
    }
}
