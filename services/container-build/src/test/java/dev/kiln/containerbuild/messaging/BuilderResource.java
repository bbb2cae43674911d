package dev.kiln.containerbuild.messaging;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The builder's surroundings for the tests: the test daemon ({@code KILN_TEST_DOCKER_HOST}, mutual TLS with
 * {@code KILN_TEST_DOCKER_CERT_PATH}) as {@code kiln.docker.*}, and a real registry holding the busybox base image
 * as {@code <registry>/base/busybox:latest}, the only allowed parent registry. The base reference is published as a
 * system property.
 */
public class BuilderResource implements QuarkusTestResourceLifecycleManager {
    public static final String BASE_PROPERTY = "containerbuild.test.base-image";
    public static final String REGISTRY_PROPERTY = "containerbuild.test.registry";
    /** The component whose builds may use network host in the tests. */
    public static final String HOST_NETWORK_COMPONENT = "hello-host";

    private static RegistryProcess registry;

    @Override
    public synchronized Map<String, String> start() {
        DockerClient docker = TestDocker.client();
        TestDocker.ensureBaseImage(docker);
        registry = RegistryProcess.start("container-build-parents");
        String repository = registry.hostPort() + "/base/busybox";
        try {
            docker.tagImageCmd(TestDocker.BASE_IMAGE, repository, "latest").exec();
            docker.pushImageCmd(repository).withTag("latest").exec(new ResultCallback.Adapter<PushResponseItem>())
                    .awaitCompletion(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        System.setProperty(BASE_PROPERTY, repository + ":latest");
        System.setProperty(REGISTRY_PROPERTY, registry.hostPort());
        Map<String, String> config = new HashMap<>();
        config.put("kiln.docker.host", TestDocker.host());
        TestDocker.certPath().ifPresent(p -> config.put("kiln.docker.cert-path", p));
        config.put("kiln.build.allowed-parent-registries", registry.hostPort());
        config.put("kiln.build.host-network-components", HOST_NETWORK_COMPONENT);
        config.put("kiln.build.component-required-labels.labelled", "summary");
        config.put("kiln.build.cpus", "1.5"); // a decimal quota, see buildContainersRunUnderTheCpuQuota
        return config;
    }

    public static RegistryProcess registry() {
        return registry;
    }

    @Override
    public synchronized void stop() {
        if (registry != null) {
            registry.close();
            registry = null;
        }
    }
}
