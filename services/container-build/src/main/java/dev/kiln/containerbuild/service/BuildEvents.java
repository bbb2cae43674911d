package dev.kiln.containerbuild.service;

import dev.kiln.events.KilnEvent;

/** Where the build worker sends its events; returns once the event is durable (acknowledged by the broker). */
public interface BuildEvents {
    void publish(KilnEvent event);
}
