package dev.kiln.buildsubmission.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;

/** Every {@code kiln.*} setting of build-submission. */
@ConfigMapping(prefix = "kiln")
public interface KilnConfig {

    Context context();

    Git git();

    Builds builds();

    interface Context {
        /** Largest accepted build context archive, in bytes (default 200 MiB). */
        @WithDefault("209715200")
        long maxBytes();
    }

    interface Git {
        /** URL schemes a git source may use. */
        @WithDefault("https,http,git,file")
        List<String> allowedSchemes();

        /** Network timeout of a clone, in seconds. */
        @WithDefault("120")
        int timeoutSeconds();
    }

    interface Builds {
        /** Page size of {@code GET /api/v1/builds} when no limit is given. */
        @WithDefault("50")
        int defaultListLimit();

        /** Largest page size of {@code GET /api/v1/builds}. */
        @WithDefault("500")
        int maxListLimit();
    }
}
