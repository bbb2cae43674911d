package dev.kiln.release.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;

/** Every {@code kiln.*} setting of the release service. */
@ConfigMapping(prefix = "kiln")
public interface ReleaseConfig {

    Registries registry();

    Release release();

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

    interface Release {
        /** How often a failed copy is tried again before the promotion counts as failed. */
        @WithDefault("3")
        int copyRetries();

        /** First pause before a retry, doubled each time. */
        @WithDefault("1000")
        long backoffMillis();
    }
}
