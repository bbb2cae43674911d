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

    Limits limits();

    Readiness readiness();

    RegistryTokens registryTokens();

    /**
     * {@code kiln.registry-tokens.*}: the hub as the token realm of the candidate and production registries
     * (distribution's {@code auth: token}; docs/security.md).
     */
    interface RegistryTokens {
        /**
         * The token signer's certificate directory ({@code cert.pem}, {@code key.pem}, {@code ca.pem}: {@code kiln
         * certs client --cn kiln-registry-tokens}), from the CA the registries name as {@code rootcertbundle}. Unset:
         * the hub issues no registry tokens and answers 503.
         */
        Optional<String> signerDir();

        /** The tokens' {@code iss}: the registries' {@code auth.token.issuer}. */
        @WithDefault("kiln")
        String issuer();

        /** How long a token is good for. */
        @WithDefault("5m")
        java.time.Duration ttl();

        /** The candidate registry's {@code auth.token.service}, the {@code aud} of its tokens. */
        @WithDefault("kiln-candidate")
        String candidate();

        /** The production registry's {@code auth.token.service}. */
        @WithDefault("kiln-production")
        String production();

        /** Whether anyone, without credentials, may pull from production (a public registry, like Fedora's). */
        @WithDefault("true")
        boolean anonymousProductionPull();
    }

    /** {@code kiln.readiness.*}: when the hub says it is ready to answer ({@code /q/health/ready}). */
    interface Readiness {
        /**
         * The most records the hub's consumer group may have left to read, over all its topics, for the hub to be
         * ready: after a restart or an outage its answers are stale until it has caught up.
         */
        @WithDefault("100")
        long maxLag();
    }

    /** Lengths and counts of what a request may carry besides an archive; longer input is refused with 400. */
    interface Limits {
        /** Characters of a {@code name}, {@code version} or {@code release} label of the Dockerfile. */
        @WithDefault("128")
        int labelLength();

        /** Characters of a component or user name (component, requester, user, owners) and of a build id. */
        @WithDefault("128")
        int fieldLength();

        /** Characters of free text and locations: a git URL, a git ref, a token description. */
        @WithDefault("2048")
        int textLength();

        /** Owners of one component. */
        @WithDefault("100")
        int maxOwners();

        /** Bytes of a JSON request body (413 beyond). */
        @WithDefault("1048576")
        long jsonBodyBytes();
    }

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
        /** Largest accepted build context archive as uploaded, in bytes (default 200 MiB). */
        @WithDefault("209715200")
        long maxBytes();

        /** Largest size of a context once unpacked (gunzipped), tar headers included, in bytes (default 1 GiB). */
        @WithDefault("1073741824")
        long maxExpandedBytes();

        /** Most entries (files, directories, links) in one context. */
        @WithDefault("100000")
        int maxEntries();

        /** Longest entry name or link target, in UTF-8 bytes; also the longest Dockerfile path of a build. */
        @WithDefault("1024")
        int maxPathLength();

        /** Most symbolic links in one context. */
        @WithDefault("10000")
        int maxSymlinks();

        /** Most symbolic links followed while resolving one path (Linux allows 40). */
        @WithDefault("40")
        int maxLinkHops();

        /**
         * Directory where an upload is written while it is checked (default {@code kiln-context-spool} under
         * {@code java.io.tmpdir}); the file is deleted when the request ends, stored or refused.
         */
        Optional<String> spoolDir();
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
