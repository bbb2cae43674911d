package dev.kiln.containerbuild.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every setting of container-build under {@code kiln.*} (env {@code KILN_*}). */
@ConfigMapping(prefix = "kiln")
public interface KilnConfig {

    Hub hub();

    Docker docker();

    Registry registry();

    Build build();

    /**
     * Identifies this worker in {@code build.started} and names its own cancel consumer group; defaults to
     * {@code <hostname>-<pid>} (see {@link WorkerIdConfigSource}).
     */
    String workerId();

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

        /**
         * Whether a daemon reached without mutual TLS (a {@code unix://} socket, or {@code tcp://} without a cert path)
         * is accepted: true only in the dev and test profiles. When false the service refuses to start without client
         * certificates.
         */
        @WithDefault("false")
        boolean allowInsecureSocket();
    }

    interface Registry {
        Address production();

        Address candidate();

        interface Address {
            /** {@code host:port} as written in image references. */
            String address();

            /**
             * The user the builders' daemons pull parents from it as: for Kiln's registries {@code container-build}
             * with its service token as {@link #password()} (a candidate is never pulled anonymously, production only
             * when the operator allows it); none: anonymous pulls.
             */
            Optional<String> username();

            /** Its password: for Kiln's registries, container-build's service token from the hub. */
            Optional<String> password();
        }
    }

    interface Build {
        /**
         * Registries a FROM image may come from ({@code host:port}); default: the production and the candidate
         * registry ({@code kiln.registry.production.address}, {@code kiln.registry.candidate.address}).
         */
        Optional<List<String>> allowedParentRegistries();

        /** Components whose builds may ask for network {@code host} (e.g. to reach a package mirror). */
        Optional<List<String>> hostNetworkComponents();

        /** Labels every Dockerfile must set (its final stage). */
        @WithDefault("name,version")
        List<String> requiredLabels();

        /** More required labels per component: {@code kiln.build.component-required-labels.<component>=a,b}. */
        Map<String, List<String>> componentRequiredLabels();

        /** Memory limit of each build container, bytes (0: none). */
        @WithDefault("4294967296")
        long memoryBytes();

        /**
         * How much CPU time a build container may use, in CPUs like {@code docker run --cpus} ({@code 1.5}: one and a
         * half CPUs' worth in every 100 ms): the daemon's build parameters {@code cpuperiod=100000} and
         * {@code cpuquota=cpus×100000}, which Kiln adds to the build request itself since docker-java 3.7.1 cannot set
         * them. 0: no quota; otherwise at least 0.01.
         */
        @WithDefault("2")
        BigDecimal cpus();

        /** CPUs a build container may run on ({@code 0-1}, {@code 2,3}); unset: all. Limits where, not how much. */
        Optional<String> cpusetCpus();

        /** Relative CPU weight of build containers (1024 is Docker's default; 0: unset). */
        @WithDefault("512")
        int cpuShares();

        /**
         * Daemon hygiene: after every build, dangling images (intermediate images of failed or canceled builds, images
         * whose build tag registry-push removed) older than this are pruned. Longer than any build runs, so that the
         * untagged intermediate images of a build still running on the same daemon are never taken.
         */
        @WithDefault("6h")
        Duration pruneAfter();

        /**
         * How many builds this worker runs at once (its daemon builds them side by side). It is the size of the
         * messaging worker pool {@code kiln-builds}, which also bounds how many build requests the worker takes from
         * Kafka before their outcomes are sent; 1 (the default) is one build at a time.
         */
        @WithDefault("1")
        int concurrency();
    }
}
