package dev.kiln.events;

import java.time.Instant;

/** Every Kiln event: keyed by build id on its topic, described by one {@link EventType}. */
public sealed interface KilnEvent permits BuildRequested, BuildCancelRequested, BuildStarted, BuildLog, BuildCompleted,
        BuildFailed, BuildCanceled, ImagePushed, QaResult, ImageSigned, GatingDecision, ImagePromoted, BuildStateChanged {

    /** The Kafka key and the CloudEvents subject. */
    String buildId();

    /** When the producer says the thing happened. */
    Instant time();
}
