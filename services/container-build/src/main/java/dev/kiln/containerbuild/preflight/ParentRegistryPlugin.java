package dev.kiln.containerbuild.preflight;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.ImageReference;
import dev.kiln.events.Stage;
import dev.kiln.support.dockerfile.DockerfileParser;
import java.util.List;

/**
 * Every FROM image (not a stage, not {@code scratch}) must come from an allowed registry
 * ({@code kiln.build.allowed-parent-registries}); an image without a registry host is Docker Hub's
 * ({@code docker.io}) and so refused unless that is allowed (atomic-reactor's {@code check_base_image}).
 */
public final class ParentRegistryPlugin implements PreflightPlugin {
    public static final String IMPLICIT_REGISTRY = "docker.io";
    private final List<String> allowed;

    public ParentRegistryPlugin(List<String> allowed) {
        this.allowed = allowed.stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    @Override
    public String name() {
        return "parent-registry";
    }

    @Override
    public void run(PreflightContext c) throws BuildFailure {
        for (DockerfileParser.Stage s : c.parsed().stages()) {
            if (s.fromStage() || s.isScratch()) {
                continue;
            }
            ImageReference reference;
            try {
                reference = ImageReference.parse(s.image());
            } catch (IllegalArgumentException e) {
                throw new BuildFailure(Stage.PREFLIGHT, "dockerfile-invalid", "The parent image " + s.image()
                        + " (line " + s.from().firstLine() + " of " + c.dockerfilePath() + ") is not an image reference: "
                        + e.getMessage() + "; fix the FROM line and submit again.", false);
            }
            String registry = reference.registryHost().orElse(IMPLICIT_REGISTRY);
            if (!allowed.contains(registry)) {
                String example = allowed.isEmpty() ? "<allowed registry>" : allowed.get(0);
                throw new BuildFailure(Stage.PREFLIGHT, "parent-registry-not-allowed", "The parent image " + s.image()
                        + " (line " + s.from().firstLine() + " of " + c.dockerfilePath() + ") comes from registry "
                        + registry + (registry.equals(IMPLICIT_REGISTRY) && !s.image().startsWith(IMPLICIT_REGISTRY)
                                ? " (no registry named)" : "")
                        + ", which is not an allowed parent registry (" + String.join(", ", allowed)
                        + "); build FROM an image in one of them, e.g. FROM " + example + "/<repository>:<tag>.", false);
            }
        }
        c.log("preflight " + name() + ": every parent comes from " + String.join(", ", allowed));
    }
}
