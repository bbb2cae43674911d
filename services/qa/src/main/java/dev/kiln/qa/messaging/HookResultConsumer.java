package dev.kiln.qa.messaging;

import dev.kiln.events.QaResult;
import dev.kiln.events.TopicAccess;
import dev.kiln.qa.service.HookResults;
import dev.kiln.support.messaging.EventConsumer;
import dev.kiln.support.messaging.PermanentFailure;
import io.smallrye.reactive.messaging.annotations.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionStage;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Reads the QA hooks' own topics ({@code kiln.qa.hook.<name>}, {@link TopicAccess#HOOK_TOPIC_PATTERN}): the broker lets
 * only hook {@code <name>}'s certificate write its topic, so the topic says who reported. Each result is checked as a
 * result posted over REST is, stored with that hook as reporter and sent on as {@code kiln.qa.result}; one that cannot
 * be taken goes to the topic's dead-letter topic with the reason.
 */
@ApplicationScoped
public class HookResultConsumer {
    @Inject
    EventConsumer consumer;

    @Inject
    HookResults hooks;

    @Incoming("hook-result-in")
    @Blocking
    public CompletionStage<Void> onHookResult(Message<String> message) {
        String topic = message.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getTopic)
                .orElse(null);
        return consumer.consume(message, QaResult.class, null, d -> {
            TopicAccess.Hook hook = TopicAccess.Hook.ofTopic(topic).orElseThrow(() -> new PermanentFailure(null,
                    "not-a-hook-topic", "qa reads hook results only from kiln.qa.hook.<name> topics, not " + topic));
            hooks.relay(hook.name(), d.event());
        });
    }
}
