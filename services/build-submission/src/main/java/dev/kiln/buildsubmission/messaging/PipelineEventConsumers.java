package dev.kiln.buildsubmission.messaging;

import dev.kiln.buildsubmission.service.BuildEventService;
import dev.kiln.buildsubmission.store.StoreException;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.EventType;
import dev.kiln.events.GatingDecision;
import dev.kiln.events.ImagePromoted;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.ImageSigned;
import dev.kiln.events.KilnEvent;
import dev.kiln.events.MalformedEventException;
import dev.kiln.events.QaResult;
import dev.kiln.support.messaging.IncomingEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * One consumer per pipeline topic (group {@code kiln-build-submission}). Each message is decoded, applied and
 * acknowledged only after its effects are committed and announced; a malformed message is nacked, which sends it to
 * {@code <topic>.dlq}, and consuming goes on.
 */
@ApplicationScoped
public class PipelineEventConsumers {
    private static final Logger LOG = Logger.getLogger(PipelineEventConsumers.class);
    private static final int ATTEMPTS = 3;

    private final BuildEventService service;

    public PipelineEventConsumers(BuildEventService service) {
        this.service = service;
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
        String ceType = EventType.of(type).ceType();
        T event;
        try {
            event = IncomingEvents.decode(m, type);
        } catch (MalformedEventException e) {
            LOG.errorf("poison message on %s sent to the dead-letter topic: %s", EventType.of(type).topic(),
                    e.getMessage());
            return m.nack(e);
        }
        String id = IncomingEvents.eventId(m).orElse(null);
        for (int attempt = 1;; attempt++) {
            try {
                apply.accept(id, event);
                return m.ack();
            } catch (StoreException e) {
                if (attempt >= ATTEMPTS) {
                    LOG.errorf("%s %s for build %s failed %d times, sent to the dead-letter topic: %s", ceType, id,
                            event.buildId(), attempt, e.getMessage());
                    return m.nack(e);
                }
                LOG.warnf("%s for build %s: %s (attempt %d, retrying)", ceType, event.buildId(), e.getMessage(), attempt);
                sleep(attempt * 500L);
            } catch (RuntimeException e) {
                LOG.errorf(e, "%s %s for build %s could not be applied, sent to the dead-letter topic", ceType, id,
                        event.buildId());
                return m.nack(e);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
