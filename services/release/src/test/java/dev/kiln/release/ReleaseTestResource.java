package dev.kiln.release;

import dev.kiln.testsupport.RegistryProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Two real registries: candidate and production; quick retries. */
public class ReleaseTestResource implements QuarkusTestResourceLifecycleManager {
    private RegistryProcess candidate;
    private RegistryProcess production;

    @Override
    public Map<String, String> start() {
        candidate = RegistryProcess.start("candidate");
        production = RegistryProcess.start("production");
        return Map.of("kiln.registry.candidate.address", candidate.hostPort(),
                "kiln.registry.candidate.url", candidate.url(),
                "kiln.registry.production.address", production.hostPort(),
                "kiln.registry.production.url", production.url(),
                "kiln.release.backoff-millis", "50");
    }

    @Override
    public void stop() {
        if (candidate != null) {
            candidate.close();
        }
        if (production != null) {
            production.close();
        }
    }
}
