package dev.kiln.signing.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.util.Optional;

/** Every {@code kiln.*} setting of the signing service. */
@ConfigMapping(prefix = "kiln")
public interface SigningConfig {

    Signing signing();

    Registries registry();

    interface Signing {
        /** PKCS#8 PEM file holding the EC P-256 private key (required; the service refuses to start without it). */
        Optional<String> keyFile();

        /** Attempts per registry operation before a transient failure becomes a build.failed event. */
        @WithDefault("3")
        int attempts();

        /** First pause between attempts, doubled each time. */
        @WithDefault("500")
        long backoffMillis();
    }

    interface Registries {
        Registry candidate();

        Registry production();
    }

    interface Registry {
        /** As written in image references, e.g. {@code localhost:5000}. */
        String address();

        /** How to reach it, e.g. {@code http://localhost:5000}. */
        URI url();
    }
}
