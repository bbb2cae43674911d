package dev.kiln.qa.messaging;

import dev.kiln.events.QaResult;
import dev.kiln.qa.service.HookResults;
import dev.kiln.qa.service.ResultRecorder;
import dev.kiln.support.messaging.EventConsumer;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads {@code kiln.qa.result} to store results other reporters (hooks publishing on Kafka) send; results qa published
 * itself (source {@code /kiln/qa}, including those hooks posted over REST) are stored already and skipped.
 */
@ApplicationScoped
public class QaResultConsumer {
    @Inject
    EventConsumer consumer;

    @Inject
    HookResults hooks;

    @Incoming("qa-result-in")
    @Blocking
    public CompletionStage<Void> onQaResult(Message<String> message) {
        boolean ours = message.getMetadata(IncomingCloudEventMetadata.class)
                .map(ce -> ce.getSource() != null && ResultRecorder.SOURCE.equals(ce.getSource().toString()))
                .orElse(false);
        if (ours) {
            return message.ack();
        }
        // a hook's result that cannot be stored for good is a dead letter: it names no stage of qa's own
        return consumer.consume(message, QaResult.class, null, d -> hooks.storeForeign(d.event()));
    }
}
