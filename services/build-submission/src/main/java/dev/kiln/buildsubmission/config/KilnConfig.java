package dev.kiln.buildsubmission.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/** Every {@code kiln.*} setting of build-submission. */
@ConfigMapping(prefix = "kiln")
public interface KilnConfig {

    Context context();

    Git git();

    Builds builds();

    Auth auth();

    Stream stream();

    interface Auth {
        /**
         * A token accepted as user {@code admin} with role admin, for bootstrapping (env
         * {@code KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN}); only its SHA-256 is kept in memory, it is never logged.
         */
        Optional<String> bootstrapAdminToken();
    }

    interface Stream {
        /** How often a Server-Sent Events stream looks for new log lines or states, in milliseconds. */
        @WithDefault("500")
        long pollIntervalMs();

        /** How long a log stream keeps looking for late lines after the build ended, in milliseconds. */
        @WithDefault("2000")
        long endGraceMs();

        /** Seconds between keep-alive comments on an idle stream. */
        @WithDefault("15")
        long keepAliveSeconds();
    }

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
