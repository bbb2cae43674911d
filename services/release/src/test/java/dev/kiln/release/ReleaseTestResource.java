package dev.kiln.release;

import dev.kiln.testsupport.RegistryProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Three real registries: candidate, production and a further promotion target ("mirror"); quick retries; a policy
 * directory (JSON default, a YAML policy for component "strict", an unreadable one for "broken"); the real hub
 * (packaged build-submission), which made the tests' bearer tokens and which release asks about them.
 */
public class ReleaseTestResource implements QuarkusTestResourceLifecycleManager {
    static String engineerToken;
    static String maintainerToken;
    static String adminToken = HubProcess.ADMIN_TOKEN;

    private HubProcess hub;

    private RegistryProcess candidate;
    private RegistryProcess production;
    private RegistryProcess mirror;

    @Override
    public Map<String, String> start() {
        candidate = RegistryProcess.start("candidate");
        production = RegistryProcess.start("production");
        mirror = RegistryProcess.start("mirror");
        hub = HubProcess.start();
        engineerToken = hub.createToken("rita", "release-engineer");
        maintainerToken = hub.createToken("max", "maintainer");
        Path policies;
        try {
            policies = Files.createTempDirectory("kiln-policies-");
            Files.writeString(policies.resolve("default.json"),
                    "{\"id\": \"default\", \"required_test_cases\": [\"kiln.image.starts\"], \"signature_required\": true}\n");
            Files.writeString(policies.resolve("strict.yaml"), """
                    id: strict
                    description: the image must start and pass its smoke test
                    required_test_cases:
                      - kiln.image.starts
                      - example.smoke
                    signature_required: true
                    """);
            Files.writeString(policies.resolve("broken.yaml"), "id: broken\nsignature_required: maybe\n");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.ofEntries(Map.entry("kiln.registry.candidate.address", candidate.hostPort()),
                Map.entry("kiln.registry.candidate.url", candidate.url()),
                Map.entry("kiln.registry.production.address", production.hostPort()),
                Map.entry("kiln.registry.production.url", production.url()),
                Map.entry("kiln.registry.targets.mirror.address", mirror.hostPort()),
                Map.entry("kiln.registry.targets.mirror.url", mirror.url()),
                Map.entry("kiln.release.backoff-millis", "50"),
                Map.entry("kiln.gating.policy-dir", policies.toString()),
                Map.entry("kiln.hub.url", hub.url));
    }

    @Override
    public void stop() {
        if (hub != null) {
            hub.close();
        }
        for (RegistryProcess r : new RegistryProcess[] {candidate, production, mirror}) {
            if (r != null) {
                r.close();
            }
        }
    }
}
