package dev.kiln.containerbuild.messaging;

import dev.kiln.containerbuild.service.BuildEvents;
import dev.kiln.events.BuildCanceled;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildFailed;
import dev.kiln.events.BuildLog;
import dev.kiln.events.BuildStarted;
import dev.kiln.events.KilnEvent;
import dev.kiln.support.messaging.OutgoingEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/** Sends the worker's events to their topics and waits for the broker's acknowledgement. */
@ApplicationScoped
public class KafkaBuildEvents implements BuildEvents {
    public static final String SOURCE = "/kiln/container-build";

    @Inject
    @Channel("build-started")
    Emitter<String> started;

    @Inject
    @Channel("build-log")
    Emitter<String> log;

    @Inject
    @Channel("build-completed")
    Emitter<String> completed;

    @Inject
    @Channel("build-failed")
    Emitter<String> failed;

    @Inject
    @Channel("build-canceled")
    Emitter<String> canceled;

    @Override
    public void publish(KilnEvent event) {
        Emitter<String> emitter;
        if (event instanceof BuildLog) {
            emitter = log;
        } else if (event instanceof BuildStarted) {
            emitter = started;
        } else if (event instanceof BuildCompleted) {
            emitter = completed;
        } else if (event instanceof BuildFailed) {
            emitter = failed;
        } else if (event instanceof BuildCanceled) {
            emitter = canceled;
        } else {
            throw new IllegalArgumentException("container-build does not send " + event.getClass().getSimpleName());
        }
        OutgoingEvents.sendAndAwait(emitter, event, SOURCE);
    }
}
