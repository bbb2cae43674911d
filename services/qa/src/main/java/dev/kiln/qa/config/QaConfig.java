package dev.kiln.qa.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Every setting of qa ({@code kiln.*}; in deployments from the environment, e.g. {@code KILN_DOCKER_HOST}). */
@ConfigMapping(prefix = "kiln")
public interface QaConfig {

    Docker docker();

    Qa qa();

    interface Docker {
        /** The daemon that runs the checks. */
        @WithDefault("unix:///var/run/docker.sock")
        String host();

        /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for mutual TLS. */
        Optional<String> certPath();
    }

    interface Qa {
        /** How long the image's default command may run before it is killed and the check fails. */
        @WithDefault("60s")
        Duration timeout();

        /** How long pulling the image may take. */
        @WithDefault("10m")
        Duration pullTimeout();

        /** Memory limit of a test container, in bytes (swap included). */
        @WithDefault("268435456")
        long memoryBytes();

        /** Limit on processes in a test container. */
        @WithDefault("256")
        long pidsLimit();

        /** How many of the last log lines go into a failure summary. */
        @WithDefault("20")
        int logLines();

        /** Remove the pulled image reference from the daemon after the check. */
        @WithDefault("true")
        boolean removeImage();
    }
}
