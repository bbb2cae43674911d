package dev.kiln.support.messaging.broker;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/** How this service connects to Kiln's bus (docs/security.md). */
@ConfigMapping(prefix = "kiln.bus")
public interface BusConfig {
    /** The service's principal: the common name of its certificate, as the broker's ACLs name it. */
    Optional<String> principal();

    /**
     * The directory of the service's certificate, {@code keystore.pem} (key and certificate) and {@code ca.pem}
     * (Kiln's CA), as {@code kiln certs client} or {@code kiln certs bus} writes it; service-support's defaults point
     * {@code kafka.ssl.keystore.location} and {@code kafka.ssl.truststore.location} into it.
     */
    Optional<String> certs();
}
