package dev.kiln.qa.config;

import dev.kiln.support.registry.RegistryEndpoint;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every setting of qa ({@code kiln.*}; in deployments from the environment, e.g. {@code KILN_DOCKER_HOST}). */
@ConfigMapping(prefix = "kiln")
public interface QaConfig {

    Docker docker();

    Hub hub();

    Qa qa();

    Registry registry();

    /** {@code kiln.registry.*}: the candidate registry qa pulls the images it checks from, through its daemon. */
    interface Registry {
        Candidate candidate();

        /** Address, URL and qa's credentials ({@code kiln.registry.candidate.username/password}: qa's service token). */
        interface Candidate extends RegistryEndpoint {
        }
    }

    interface Docker {
        /** The daemon that runs the checks. */
        @WithDefault("unix:///var/run/docker.sock")
        String host();

        /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for mutual TLS. */
        Optional<String> certPath();

        /**
         * Whether a daemon reached without mutual TLS ({@code unix://}, or {@code tcp://} without a cert path) is
         * accepted: true only in the dev and test profiles; otherwise the service refuses to start.
         */
        @WithDefault("false")
        boolean allowInsecureSocket();
    }

    interface Hub {
        /** build-submission, which serves uploaded contexts at {@code /api/v1/contexts/{digest}}. */
        @WithDefault("http://localhost:8080")
        String url();
    }

    interface Qa {
        /** How long one test container (the default command, or one test command) may run before it is killed. */
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

        /** Remove the pulled image reference from the daemon after the run. */
        @WithDefault("true")
        boolean removeImage();

        /**
         * How long an image.pushed waits for its build's kiln.build.requested (the source) to be recorded; after
         * that only the image's own checks run and {@code kiln.cst} says why the repository's tests did not.
         */
        @WithDefault("30s")
        Duration sourceWait();

        /** Default image size budget (bytes, uncompressed as the daemon counts it). */
        @WithDefault("2147483648")
        long sizeBudgetBytes();

        /** Per-component size budgets in bytes ({@code kiln.qa.size-budgets.<component>=<bytes>}). */
        Map<String, Long> sizeBudgets();

        /** Labels every image must carry. */
        @WithDefault("name,version")
        List<String> requiredLabels();

        /** Files up to this size are searched for PEM private keys by {@code kiln.image.no-secrets}. */
        @WithDefault("1048576")
        long secretScanMaxFileBytes();

        /** Tokens of external QA hooks, each {@code <token>:<hook name>}; the hook name becomes the reporter. */
        Optional<List<String>> hookTokens();

        /**
         * Names of qa's own environment variables that a test file's {@code containerRunOptions.envVars} may hand to
         * its test containers (container-structure-test passes them from the environment it runs in); none by
         * default, since qa's environment holds its credentials.
         */
        Optional<List<String>> passEnv();
    }
}
