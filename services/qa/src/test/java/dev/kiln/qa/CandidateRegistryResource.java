package dev.kiln.qa;

import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/** A real candidate registry for the test images, the test daemon, and a short time limit so the timeout case stays quick. */
public class CandidateRegistryResource implements QuarkusTestResourceLifecycleManager {
    private static RegistryProcess registry;

    public static RegistryProcess registry() {
        return registry;
    }

    @Override
    public Map<String, String> start() {
        registry = RegistryProcess.start("qa-candidate");
        Map<String, String> config = new HashMap<>(Map.of("kiln.qa.timeout", "5s", "kiln.docker.host", TestDocker.host()));
        TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
        return config;
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }
}
