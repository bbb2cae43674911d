package dev.kiln.containerbuild.inspect;

import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.ImageHistory;
import dev.kiln.containerbuild.client.DockerDaemon;
import dev.kiln.containerbuild.client.ImageFiles;
import dev.kiln.events.BuildCompleted;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.BuildRun;
import dev.kiln.events.ImageLayer;
import dev.kiln.support.docker.BuildImageTag;
import dev.kiln.support.docker.KilnLabels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * What a built image is, read from the builder's daemon: its labels, layers (with the history step that made each)
 * and installed packages, as the {@code build.completed} that reports it.
 */
@ApplicationScoped
public class BuiltImages {
    private static final Logger LOG = Logger.getLogger(BuiltImages.class);

    @Inject
    DockerDaemon docker;

    /** How {@code request} runs on worker {@code workerId}, taken at {@code startedAt}: what its provenance records. */
    public static BuildRun run(BuildRequested request, String workerId, Instant startedAt) {
        return new BuildRun(request.source(), request.dockerfilePath(), request.options(), workerId, startedAt);
    }

    /** The image of an earlier run of this build, when the daemon still has it (a redelivered request). */
    public Optional<BuildCompleted> alreadyBuilt(BuildRequested request, BuildRun run) {
        try {
            return docker.inspectImage(BuildImageTag.of(request.buildId()))
                    .filter(i -> i.getConfig() != null && i.getConfig().getLabels() != null
                            && request.buildId().equals(i.getConfig().getLabels().get(KilnLabels.BUILD_ID)))
                    .map(i -> completed(request, run, i, line -> LOG.infof("build %s: %s", request.buildId(), line)));
        } catch (RuntimeException e) {
            LOG.warnf("build %s: cannot look for an earlier image: %s", request.buildId(), e.getMessage());
            return Optional.empty();
        }
    }

    /** The outcome for an image in the daemon; {@code note} gets what the build log should say about it. */
    public BuildCompleted completed(BuildRequested request, BuildRun run, InspectImageResponse image,
            Consumer<String> note) {
        Map<String, String> labels = image.getConfig() == null || image.getConfig().getLabels() == null
                ? Map.of() : image.getConfig().getLabels();
        long size = image.getSize() == null ? 0 : image.getSize();
        return new BuildCompleted(request.buildId(), request.component(), request.scratch(), image.getId(),
                docker.host(), request.nvr(), labels.get(KilnLabels.PARENT_IMAGE), labels.get(KilnLabels.PARENT_DIGEST),
                labels, size, contentManifest(image.getId(), note), layers(image, note), run, Instant.now());
    }

    /** The layer digests of an image's root file system, bottom first. */
    public static List<String> diffIds(InspectImageResponse image) {
        return image.getRootFS() == null || image.getRootFS().getLayers() == null ? List.of()
                : image.getRootFS().getLayers();
    }

    /** One log line for the layers of a build. */
    public static String describe(List<ImageLayer> layers) {
        return ImageLayers.describe(layers);
    }

    /** The image's layers, bottom first, with the size and instruction of the history step that made each. */
    private List<ImageLayer> layers(InspectImageResponse image, Consumer<String> note) {
        List<ImageHistory> history;
        try {
            history = docker.history(image.getId());
        } catch (DockerException e) {
            LOG.warnf("cannot read the history of %s: %s", image.getId(), e.getMessage());
            history = List.of();
        }
        ImageLayers.Result result = ImageLayers.lineUp(diffIds(image), history,
                id -> docker.inspectImage(id).map(BuiltImages::diffIds));
        if (result.unmatched() > 0) {
            note.accept("[kiln] layers: the image history does not account for " + result.unmatched() + " of "
                    + result.layers().size() + " layers; their sizes and instructions are unknown (0, none)");
        }
        return result.layers();
    }

    /** The installed packages as CycloneDX component identifiers (package URLs), read from the image's databases. */
    private List<String> contentManifest(String imageId, Consumer<String> note) {
        try (ImageFiles files = docker.files(imageId)) {
            return ImagePackages.read(files, note);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot read the package database of %s: %s", imageId, e.getMessage());
            note.accept("[kiln] content manifest: the package database cannot be read (" + e.getMessage()
                    + "): no packages listed");
            return List.of();
        }
    }
}
