package dev.kiln.registrypush.config;

import dev.kiln.support.registry.RegistryEndpoint;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** Every setting of registry-push ({@code kiln.*}; in deployments from the environment, e.g. {@code KILN_DOCKER_CERT_PATH}). */
@ConfigMapping(prefix = "kiln")
public interface RegistryPushConfig {

    Docker docker();

    Registry registry();

    Push push();

    Provenance provenance();

    interface Docker {
        /** Directory with {@code ca.pem}, {@code cert.pem}, {@code key.pem} for mutual TLS to the builders' daemons. */
        Optional<String> certPath();

        /**
         * Whether a builder's daemon reached without mutual TLS ({@code unix://}, or {@code tcp://} without a cert
         * path) is accepted: true only in the dev and test profiles; otherwise such a build fails at push.
         */
        @WithDefault("false")
        boolean allowInsecureSocket();
    }

    interface Registry {
        Candidate candidate();

        /** The candidate registry: address, URL, CA file and registry-push's credentials (its service token). */
        interface Candidate extends RegistryEndpoint {
            /** The candidate registry as written in image references. */
            @Override
            @WithDefault("localhost:5000")
            String address();

            /** How to reach it. */
            @Override
            @WithDefault("https://localhost:5000")
            URI url();
        }
    }

    /** The build's SLSA provenance, which registry-push signs with the builder key and attaches to each image. */
    interface Provenance {
        /**
         * The builder key: a PKCS#8 PEM EC P-256 private key held by the build side only (not the signing or
         * release key); unset: images get no provenance, and a gate that requires it does not promote them.
         */
        Optional<String> keyFile();

        /** The builder id the provenance names ({@code runDetails.builder.id}). */
        @WithDefault(dev.kiln.support.attest.Provenance.DEFAULT_BUILDER_ID)
        String builderId();
    }

    interface Push {
        /** How long one registry request may wait for its answer (a layer upload: the whole upload). */
        @WithDefault("10m")
        Duration timeout();

        /** The layer cache (diff id → compressed blob digest) and the spool of saved images; a temporary directory when unset. */
        Optional<String> cacheDir();
    }
}
