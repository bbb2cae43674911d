package dev.kiln.buildsubmission.messaging;

import dev.kiln.buildsubmission.service.BuildEventService;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.QaResult;
import dev.kiln.support.messaging.EventConsumer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * One consumer per pipeline topic (group {@code kiln-build-submission}), each through the shared
 * {@link EventConsumer} template: a record is acknowledged only after its effects (and their announcements, in the
 * outbox) are committed; a database that is away is waited for; a malformed record, or one the hub cannot apply for
 * good, goes to {@code <topic>.dlq}.
 */
@ApplicationScoped
public class PipelineEventConsumers {
    private final BuildEventService service;
    private final EventConsumer consumer;

    public PipelineEventConsumers(BuildEventService service, EventConsumer consumer) {
        this.service = service;
        this.consumer = consumer;
    }

    @Incoming("build-started")
    @Blocking
    public CompletionStage<Void> started(Message<String> m) {
        return handle(m, BuildStarted.class, service::onStarted);
    }

    @Incoming("build-log")
    @Blocking
    public CompletionStage<Void> log(Message<String> m) {
        return handle(m, BuildLog.class, service::onLog);
    }

    @Incoming("build-completed")
    @Blocking
    public CompletionStage<Void> completed(Message<String> m) {
        return handle(m, BuildCompleted.class, service::onCompleted);
    }

    @Incoming("build-failed")
    @Blocking
    public CompletionStage<Void> failed(Message<String> m) {
        return handle(m, BuildFailed.class, service::onFailed);
    }

    @Incoming("build-canceled")
    @Blocking
    public CompletionStage<Void> canceled(Message<String> m) {
        return handle(m, BuildCanceled.class, service::onCanceled);
    }

    @Incoming("image-pushed")
    @Blocking
    public CompletionStage<Void> pushed(Message<String> m) {
        return handle(m, ImagePushed.class, service::onPushed);
    }

    @Incoming("qa-result")
    @Blocking
    public CompletionStage<Void> qaResult(Message<String> m) {
        return handle(m, QaResult.class, service::onQaResult);
    }

    @Incoming("image-signed")
    @Blocking
    public CompletionStage<Void> signed(Message<String> m) {
        return handle(m, ImageSigned.class, service::onSigned);
    }

    @Incoming("gating-decision")
    @Blocking
    public CompletionStage<Void> gating(Message<String> m) {
        return handle(m, GatingDecision.class, service::onGating);
    }

    @Incoming("image-promoted")
    @Blocking
    public CompletionStage<Void> promoted(Message<String> m) {
        return handle(m, ImagePromoted.class, service::onPromoted);
    }

    private <T extends KilnEvent> CompletionStage<Void> handle(Message<String> m, Class<T> type,
            BiConsumer<String, T> apply) {
        // no stage of its own: an event the hub cannot apply for good is a dead letter, replayable once fixed
        return consumer.consume(m, type, null, d -> apply.accept(d.eventId(), d.event()));
    }
}
