package dev.kiln.containerbuild.preflight;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.AuthConfig;
import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.client.DockerUnavailableException;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.ImageReference;
import dev.kiln.events.Stage;
import dev.kiln.support.docker.DaemonErrors;
import dev.kiln.support.docker.DockerClients;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the preflight plugins in their fixed order: {@value #ORDER}. Cheap checks come first, the pull (pinning) and
 * the labels that depend on it last.
 */
@ApplicationScoped
public class Preflight {
    public static final String ORDER = "legacy-syntax, dockerfile, required-labels, nvr, parent-registry, network, add-url, pin-parents,"
            + " labels";
    private static final long PULL_TIMEOUT_SECONDS = 600;

    private final List<PreflightPlugin> plugins;
    private final DockerDaemon docker;
    /** The builders' credentials by registry address (the production and the candidate registry's). */
    private final Map<String, AuthConfig> credentials = new HashMap<>();

    @Inject
    public Preflight(KilnConfig config, DockerDaemon docker) {
        this.docker = docker;
        this.plugins = plugins(config, this::resolve);
        for (KilnConfig.Registry.Address r : List.of(config.registry().production(), config.registry().candidate())) {
            DockerClients.registryAuth(r.address(), r.username(), r.password())
                    .ifPresent(auth -> credentials.putIfAbsent(r.address(), auth));
        }
    }

    /** The plugins in order, for the given configuration and parent resolver. */
    public static List<PreflightPlugin> plugins(KilnConfig config, PinParentsPlugin.Resolver resolver) {
        return List.of(
                new LegacySyntaxPlugin(),
                new ParseDockerfilePlugin(),
                new RequiredLabelsPlugin(config.build().requiredLabels(), config.build().componentRequiredLabels()),
                new NvrReleasePlugin(),
                new ParentRegistryPlugin(allowedParentRegistries(config)),
                new BuildNetworkPlugin(config.build().hostNetworkComponents().orElse(List.of())),
                new AddUrlPlugin(),
                new PinParentsPlugin(resolver),
                new InjectLabelsPlugin(config.hub().url()));
    }

    /** {@code kiln.build.allowed-parent-registries}, by default the production and the candidate registry. */
    public static List<String> allowedParentRegistries(KilnConfig config) {
        return config.build().allowedParentRegistries().orElseGet(() -> {
            List<String> l = new ArrayList<>();
            l.add(config.registry().production().address());
            l.add(config.registry().candidate().address());
            return l;
        });
    }

    public void run(PreflightContext context) throws BuildFailure, InterruptedException {
        for (PreflightPlugin plugin : plugins) {
            plugin.run(context);
        }
    }

    /** Pulls a parent from its registry and returns the digest it resolved to. */
    private String resolve(String reference) throws BuildFailure, InterruptedException {
        try {
            ImageReference ref = ImageReference.parse(reference);
            InspectImageResponse image = docker.pull(reference,
                    Optional.ofNullable(ref.registry()).map(credentials::get), PULL_TIMEOUT_SECONDS);
            String digest = PinParentsPlugin.repoDigest(ref, image.getRepoDigests());
            if (digest == null) {
                throw new BuildFailure(Stage.PREFLIGHT, "parent-image-unavailable", "The parent image " + reference
                        + " has no registry digest after the pull; push it to its registry and submit again.", false);
            }
            return digest;
        } catch (DockerUnavailableException e) {
            throw new BuildFailure(Stage.PREFLIGHT, "docker-unavailable", "The builder's Docker daemon is not reachable ("
                    + e.getMessage() + "); the build can be tried again once the daemon is back.", true, e);
        } catch (DockerException | DockerClientException e) {
            throw new BuildFailure(Stage.PREFLIGHT, "parent-image-unavailable", "The parent image " + reference
                    + " could not be pulled (" + DaemonErrors.text(e) + "); check that it exists in its registry"
                    + " and that the builders may read it.", DaemonErrors.isTransientPullFailure(e), e);
        }
    }

}
