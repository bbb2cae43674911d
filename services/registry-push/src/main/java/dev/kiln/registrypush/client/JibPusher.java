package dev.kiln.registrypush.client;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.DockerDaemonImage;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import org.jboss.logging.Logger;

/**
 * Moves an image from a Docker daemon into a registry with Jib. The daemon image is the base image and nothing is
 * added, so its configuration (entrypoint, cmd, env, labels, user, working directory) and layers are kept. Jib asks
 * the registry for every blob before sending it, so layers the registry already holds are not uploaded again, and it
 * keeps the compressed layers of saved images in {@code cacheDir}, so a repeated push does not even save the image.
 */
public final class JibPusher {
    private static final Logger LOG = Logger.getLogger(JibPusher.class);

    /** Where the image goes: {@code registry/repository:tag} for every tag (at least one). */
    public record Target(String registry, String repository, List<String> tags, Optional<String> username,
            Optional<String> password) {
        public Target {
            tags = List.copyOf(tags);
            if (tags.isEmpty()) {
                throw new IllegalArgumentException("a push names at least one tag");
            }
        }
    }

    private final Path cacheDir;

    public JibPusher(Path cacheDir) {
        this.cacheDir = cacheDir;
    }

    /**
     * Pushes daemon image {@code imageId} to every tag of {@code target} and returns the manifest digest.
     *
     * @param created the image's creation time, kept in the pushed configuration (Jib would write the epoch)
     */
    public String push(com.github.dockerjava.api.DockerClient docker, String imageId, Instant created, Target target)
            throws InterruptedException, RegistryException, IOException, CacheDirectoryCreationException,
            ExecutionException {
        RegistryImage to = RegistryImage.named(ImageReference.of(target.registry(), target.repository(), target.tags().get(0)));
        target.username().filter(u -> !u.isBlank()).ifPresent(u -> to.addCredential(u, target.password().orElse("")));
        Containerizer containerizer = Containerizer.to(to)
                .setAllowInsecureRegistries(true)
                .setBaseImageLayersCache(cacheDir.resolve("base"))
                .setApplicationLayersCache(cacheDir.resolve("application"))
                .setToolName("kiln-registry-push")
                .addEventHandler(LogEvent.class, e -> LOG.debugf("jib: %s", e.getMessage()));
        for (String tag : target.tags().subList(1, target.tags().size())) {
            containerizer.withAdditionalTag(tag);
        }
        JibContainer container = Jib.from(new DockerJavaJibClient(docker), DockerDaemonImage.named(DockerJavaJibClient.byId(imageId)))
                .setCreationTime(created)
                .containerize(containerizer);
        return container.getDigest().toString();
    }
}
