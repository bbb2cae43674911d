package dev.kiln.buildsubmission.client;

import dev.kiln.events.BuildCancelRequested;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildStateChanged;
import dev.kiln.events.EventType;
import dev.kiln.events.KilnEvent;
import dev.kiln.support.messaging.OutgoingEvents;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

/**
 * Sends build-submission's events and waits for the broker's acknowledgement
 * ({@link dev.kiln.support.messaging.EventNotSentException} when it does not come).
 */
@ApplicationScoped
public class EventSender {
    public static final String SOURCE = "/kiln/build-submission";

    @Inject
    @Channel("build-requested")
    Emitter<String> requested;

    @Inject
    @Channel("build-cancel-requested")
    Emitter<String> cancelRequested;

    @Inject
    @Channel("build-state-changed")
    Emitter<String> stateChanged;

    public void send(KilnEvent event) {
        Emitter<String> emitter;
        if (event instanceof BuildRequested) {
            emitter = requested;
        } else if (event instanceof BuildCancelRequested) {
            emitter = cancelRequested;
        } else if (event instanceof BuildStateChanged) {
            emitter = stateChanged;
        } else {
            throw new IllegalArgumentException("build-submission does not send " + EventType.of(event).ceType());
        }
        OutgoingEvents.sendAndAwait(emitter, event, SOURCE);
    }
}
