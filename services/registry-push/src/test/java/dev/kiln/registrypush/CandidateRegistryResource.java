package dev.kiln.registrypush;

import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;

/** A real candidate registry (Debian's docker-registry) for the test, and a fresh Jib cache. */
public class CandidateRegistryResource implements QuarkusTestResourceLifecycleManager {
    private static RegistryProcess registry;

    public static RegistryProcess registry() {
        return registry;
    }

    @Override
    public Map<String, String> start() {
        registry = RegistryProcess.start("candidate");
        try {
            Map<String, String> config = new HashMap<>(Map.of("kiln.registry.candidate.address", registry.hostPort(),
                    "kiln.registry.candidate.url", registry.url(),
                    "kiln.push.cache-dir", Files.createTempDirectory("kiln-push-cache-").toString(),
                    "kiln.messaging.retry.attempts", "2",
                    "kiln.messaging.retry.initial-delay", "PT0.1S"));
            TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
            return config;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }
}
