package dev.kiln.containerbuild.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Every setting of container-build under {@code kiln.*} (env {@code KILN_*}). */
@ConfigMapping(prefix = "kiln")
public interface KilnConfig {

    Hub hub();

    Docker docker();

    /** Identifies this worker in {@code build.started}; defaults to {@code <hostname>-<pid>}. */
    Optional<String> workerId();

    interface Hub {
        /** build-submission, which serves uploaded contexts at {@code /api/v1/contexts/{digest}}. */
        @WithDefault("http://localhost:8080")
        String url();
    }

    interface Docker {
        /** The builder's daemon: {@code tcp://host:2376} (mutual TLS) or {@code unix:///var/run/docker.sock}. */
        @WithDefault("unix:///var/run/docker.sock")
        String host();

        /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for mutual TLS. */
        Optional<String> certPath();
    }
}
