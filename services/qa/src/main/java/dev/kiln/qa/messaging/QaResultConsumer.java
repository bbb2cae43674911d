package dev.kiln.qa.messaging;

import dev.kiln.events.MalformedEventException;
import dev.kiln.events.QaResult;
import dev.kiln.qa.service.HookResults;
import dev.kiln.qa.service.ResultRecorder;
import dev.kiln.support.messaging.IncomingEvents;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.ce.IncomingCloudEventMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Reads {@code kiln.qa.result} to store results other reporters (hooks publishing on Kafka) send; results qa published
 * itself (source {@code /kiln/qa}, including those hooks posted over REST) are stored already and skipped.
 */
@ApplicationScoped
public class QaResultConsumer {
    private static final Logger LOG = Logger.getLogger(QaResultConsumer.class);

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
        QaResult result;
        try {
            result = IncomingEvents.decode(message, QaResult.class);
        } catch (MalformedEventException e) {
            LOG.warnf("dead-lettering a malformed qa.result event: %s", e.getMessage());
            return message.nack(e);
        }
        try {
            hooks.storeForeign(result);
            return message.ack();
        } catch (RuntimeException e) {
            LOG.errorf(e, "could not store the qa.result of %s from %s", result.testCase(), result.reporter());
            return message.nack(e);
        }
    }
}
