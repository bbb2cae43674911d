package dev.kiln.release.service;

import dev.kiln.events.KilnEvent;

/**
 * Where the service sends its events; implemented by the messaging layer. {@link #send} returns once the broker has
 * acknowledged the event and throws when it did not.
 */
public interface Outbox {
    void send(KilnEvent event);
}
