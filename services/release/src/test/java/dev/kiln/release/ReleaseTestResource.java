package dev.kiln.release;

import dev.kiln.testsupport.FaultInjectingProxy;
import dev.kiln.testsupport.KafkaBroker;
import dev.kiln.testsupport.KafkaResource;
import dev.kiln.testsupport.Postgres;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.ServiceProcess;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Three real registries: candidate, production (reached by release through a {@link FaultInjectingProxy}, so a test
 * can make it answer 503 for a while) and a further promotion target ("mirror"); quick retries; a short waiver
 * window; a policy
 * directory (JSON default, a YAML policy for component "strict", an unreadable one for "broken"); the real hub
 * (packaged build-submission, run as its own process on its own database), which made the tests' bearer tokens
 * with its bootstrap admin token and which release asks about them.
 */
public class ReleaseTestResource implements QuarkusTestResourceLifecycleManager {
    static String engineerToken;
    static String maintainerToken;
    static final String adminToken = "release-test-admin-token";
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    private ServiceProcess hub;
    private String hubDb;

    private RegistryProcess candidate;
    private RegistryProcess production;
    private RegistryProcess mirror;
    /** In front of the production registry: forwards everything unless a test starts an outage. */
    static FaultInjectingProxy productionProxy;
    /** How long a failed test case may be waived in these tests. */
    static final Duration WAIVER_WINDOW = Duration.ofSeconds(4);

    @Override
    public Map<String, String> start() {
        candidate = RegistryProcess.start("candidate");
        production = RegistryProcess.start("production");
        mirror = RegistryProcess.start("mirror");
        try {
            productionProxy = FaultInjectingProxy.forwarding(production.url());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        hub = startHub();
        engineerToken = createToken("rita", "release-engineer");
        maintainerToken = createToken("max", "maintainer");
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
                Map.entry("kiln.registry.production.url", productionProxy.url()),
                Map.entry("kiln.registry.targets.mirror.address", mirror.hostPort()),
                Map.entry("kiln.registry.targets.mirror.url", mirror.url()),
                Map.entry("kiln.messaging.retry.initial-delay", "PT0.05S"),
                Map.entry("kiln.messaging.retry.max-delay", "PT1S"),
                Map.entry("kiln.release.waiver-window", WAIVER_WINDOW.toString()),
                Map.entry("kiln.release.scan-interval", "PT0.2S"),
                Map.entry("kiln.gating.policy-dir", policies.toString()),
                Map.entry("kiln.hub.url", hub.url()));
    }

    private ServiceProcess startHub() {
        hubDb = Postgres.createDatabase("kiln_release_hub");
        try {
            ServiceProcess p = ServiceProcess.start(ServiceProcess.repositoryRoot(), "build-submission", KafkaBroker.freePort(),
                    Map.of("KAFKA_BOOTSTRAP_SERVERS", KafkaResource.broker().bootstrapServers(),
                            "KILN_BUS_CERTS", KafkaResource.broker().certificates("build-submission").toString(),
                            "QUARKUS_DATASOURCE_JDBC_URL", Postgres.jdbcUrl(hubDb),
                            "QUARKUS_DATASOURCE_USERNAME", Postgres.user(),
                            "QUARKUS_DATASOURCE_PASSWORD", Postgres.password(),
                            "KILN_AUTH_BOOTSTRAP_ADMIN_TOKEN", adminToken),
                    Path.of("target"));
            try {
                p.awaitReady(Duration.ofMinutes(2));
            } catch (RuntimeException e) {
                p.close();
                throw e;
            }
            return p;
        } catch (IOException | InterruptedException | RuntimeException e) {
            Postgres.dropDatabase(hubDb);
            throw new IllegalStateException("the hub did not start: " + e.getMessage(), e);
        }
    }

    /** A new token made by the hub's admin for {@code user} with {@code role}. */
    private String createToken(String user, String role) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(hub.url() + "/api/v1/tokens"))
                    .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"" + user + "\", \"role\": \"" + role + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            Matcher m = TOKEN.matcher(r.body());
            if (r.statusCode() != 201 || !m.find()) {
                throw new IllegalStateException("the hub did not create a token: " + r.statusCode() + " " + r.body());
            }
            return m.group(1);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (hub != null) {
            hub.close();
            Postgres.dropDatabase(hubDb);
        }
        if (productionProxy != null) {
            productionProxy.close();
        }
        for (RegistryProcess r : new RegistryProcess[] {candidate, production, mirror}) {
            if (r != null) {
                r.close();
            }
        }
    }
}
