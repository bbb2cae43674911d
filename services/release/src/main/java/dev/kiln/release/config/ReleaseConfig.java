package dev.kiln.release.config;

import dev.kiln.support.registry.RegistryEndpoint;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Every {@code kiln.*} setting of the release service. */
@ConfigMapping(prefix = "kiln")
public interface ReleaseConfig {

    Registries registry();

    Release release();

    Hub hub();

    Gating gating();

    interface Registries {
        Registry candidate();

        Registry production();

        /**
         * Further registries a release engineer may promote to by address ({@code POST /api/v1/promotions} with
         * {@code "to"}), e.g. {@code kiln.registry.targets.mirror.address=mirror:5000},
         * {@code kiln.registry.targets.mirror.url=http://mirror:5000}. The production registry is always a target.
         */
        Map<String, Registry> targets();
    }

    /** A registry: address, URL and this service's credentials ({@code kiln.registry.<name>.username/password}). */
    interface Registry extends RegistryEndpoint {
    }

    interface Hub {
        /** build-submission, which says whose a bearer token is ({@code GET /api/v1/whoami}). */
        @WithDefault("http://localhost:8080")
        String url();

        /** How long an answer of the hub about a token is kept (a failure to reach it never is). */
        @WithDefault("30s")
        Duration identityCacheTtl();

        /** How many answers of the hub are kept at most. */
        @WithDefault("1000")
        int identityCacheSize();
    }

    interface Release {
        /**
         * How long a release engineer may waive a failed test case once every QA result is in: after it, the gate's
         * unsatisfied decision is sent as final and the build ends FAILED at stage qa. {@code PT0S}: final at once.
         */
        @WithDefault("PT5M")
        Duration waiverWindow();

        /** How often the promotion worker looks for due promotions and decisions whose waiver window ended. */
        @WithDefault("PT1S")
        Duration scanInterval();
    }

    interface Gating {
        /**
         * Directory with one policy file per component ({@code <component>.yaml|.yml|.json}) and {@code default.*};
         * unset: the built-in default policy.
         */
        Optional<String> policyDir();
    }
}
