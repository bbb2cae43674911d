package dev.kiln.containerbuild.messaging;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The builder's surroundings for the tests: the test daemon ({@code KILN_TEST_DOCKER_HOST}, mutual TLS with
 * {@code KILN_TEST_DOCKER_CERT_PATH}) as {@code kiln.docker.*}, and two real registries that take HTTP Basic
 * credentials only, each holding the busybox base image as {@code <registry>/base/busybox:latest}: the parents'
 * registry, configured as the production registry with the builders' credentials, and a private one the builders
 * have none for. Both are allowed parent registries. The references are published as system properties.
 */
public class BuilderResource implements QuarkusTestResourceLifecycleManager {
    public static final String BASE_PROPERTY = "containerbuild.test.base-image";
    public static final String REGISTRY_PROPERTY = "containerbuild.test.registry";
    /** A base image in the registry the builders have no credentials for. */
    public static final String PRIVATE_BASE_PROPERTY = "containerbuild.test.private-base-image";
    /** The component whose builds may use network host in the tests. */
    public static final String HOST_NETWORK_COMPONENT = "hello-host";
    /** Who the builders are to the parents' registry. */
    public static final String USER = "container-build";
    private static final String PASSWORD = UUID.randomUUID().toString();

    private static RegistryProcess registry;
    private static RegistryProcess privateRegistry;

    @Override
    public synchronized Map<String, String> start() {
        DockerClient docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
        registry = RegistryProcess.startWithBasicAuth("container-build-parents", USER, PASSWORD);
        String otherPassword = UUID.randomUUID().toString();
        privateRegistry = RegistryProcess.startWithBasicAuth("container-build-private", "someone-else", otherPassword);
        String repository = publishBase(docker, registry, USER, PASSWORD);
        String privateRepository = publishBase(docker, privateRegistry, "someone-else", otherPassword);
        System.setProperty(BASE_PROPERTY, repository + ":latest");
        System.setProperty(PRIVATE_BASE_PROPERTY, privateRepository + ":latest");
        System.setProperty(REGISTRY_PROPERTY, registry.hostPort());
        Map<String, String> config = new HashMap<>();
        config.put("kiln.docker.host", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
        config.put("kiln.registry.production.address", registry.hostPort());
        config.put("kiln.registry.production.username", USER);
        config.put("kiln.registry.production.password", PASSWORD);
        config.put("kiln.build.allowed-parent-registries", registry.hostPort() + "," + privateRegistry.hostPort());
        config.put("kiln.build.host-network-components", HOST_NETWORK_COMPONENT);
        config.put("kiln.build.component-required-labels.labelled", "summary");
        config.put("kiln.build.cpus", "1.5"); // a decimal quota, see buildContainersRunUnderTheCpuQuota
        return config;
    }

    /** The parents' registry and the builders' credentials there, as a packaged worker's environment. */
    public static Map<String, String> registryEnv() {
        return Map.of("KILN_BUILD_ALLOWED_PARENT_REGISTRIES", registry.hostPort(),
                "KILN_REGISTRY_PRODUCTION_ADDRESS", registry.hostPort(),
                "KILN_REGISTRY_PRODUCTION_USERNAME", USER,
                "KILN_REGISTRY_PRODUCTION_PASSWORD", PASSWORD);
    }

    private static String publishBase(DockerClient docker, RegistryProcess to, String user, String password) {
        String repository = to.hostPort() + "/base/busybox";
        try {
            docker.tagImageCmd(TestDocker.BASE_IMAGE, repository, "latest").exec();
            docker.pushImageCmd(repository).withTag("latest")
                    .withAuthConfig(new AuthConfig().withUsername(user).withPassword(password)
                            .withRegistryAddress(to.hostPort()))
                    .exec(new ResultCallback.Adapter<PushResponseItem>()).awaitCompletion(60, TimeUnit.SECONDS);
            // the daemon keeps what it pushed: only a pull from the registry may bring it back
            docker.removeImageCmd(repository + ":latest").exec();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return repository;
    }

    @Override
    public synchronized void stop() {
        for (RegistryProcess r : new RegistryProcess[] {registry, privateRegistry}) {
            if (r != null) {
                r.close();
            }
        }
        registry = null;
        privateRegistry = null;
    }
}
