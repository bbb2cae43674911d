package dev.kiln.containerbuild.client;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageCmd;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.DockerClientException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.ImageHistory;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.kiln.containerbuild.config.KilnConfig;
import dev.kiln.events.ImageReference;
import dev.kiln.support.docker.DockerClients;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

/**
 * The builder's Docker daemon ({@code kiln.docker.host}, mutual TLS with {@code kiln.docker.cert-path}). Every call
 * that cannot reach the daemon throws {@link DockerUnavailableException}; answers of the daemon (404, 500, ...)
 * stay docker-java {@link DockerException}s.
 */
@ApplicationScoped
public class DockerDaemon {
    private static final Logger LOG = Logger.getLogger(DockerDaemon.class);
    private final String host;
    private final DockerClient client;
    /** The client's transport, for the archive stat that docker-java has no command for. */
    private final DockerHttpClient http;

    public DockerDaemon(KilnConfig config) {
        this.host = config.docker().host();
        Optional<String> certPath = config.docker().certPath().filter(s -> !s.isBlank());
        if (DockerClients.checkMutualTls(host, certPath, config.docker().allowInsecureSocket())) {
            LOG.warnf("the Docker daemon %s is reached without mutual TLS (kiln.docker.allow-insecure-socket=true):"
                    + " development profile only", host);
        }
        long quota = CpuQuotaHttpClient.quotaMicros(config.build().cpus());
        // the same transport (mutual TLS and all), with the CPU quota on every POST /build
        CpuQuotaHttpClient[] transport = new CpuQuotaHttpClient[1];
        this.client = DockerClients.create(host, certPath, http -> transport[0] = new CpuQuotaHttpClient(http, quota));
        this.http = transport[0];
    }

    public String host() {
        return host;
    }

    public void ping() {
        call(() -> client.pingCmd().exec());
    }

    public Optional<InspectImageResponse> inspectImage(String reference) {
        return call(() -> {
            try {
                return Optional.of(client.inspectImageCmd(reference).exec());
            } catch (NotFoundException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * Pulls {@code reference} ({@code host/repo:tag} or {@code host/repo@sha256:...}), with {@code auth} for its
     * registry when given, and returns the pulled image.
     */
    public InspectImageResponse pull(String reference, Optional<AuthConfig> auth, long timeoutSeconds)
            throws InterruptedException {
        ImageReference ref = ImageReference.parse(reference);
        PullImageResultCallback callback = call(() -> {
            PullImageCmd pull = client.pullImageCmd(ref.name()).withTag(ref.tagOrDigestOrLatest());
            auth.ifPresent(pull::withAuthConfig);
            return pull.exec(new PullImageResultCallback());
        });
        try {
            if (!callback.awaitCompletion(timeoutSeconds, TimeUnit.SECONDS)) {
                callback.close();
                throw new DockerClientException("pulling " + reference + " took longer than " + timeoutSeconds + "s");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw translate(e);
        }
        String local = ref.name() + (ref.digest() != null ? "@" : ":") + ref.tagOrDigestOrLatest();
        return inspectImage(local).orElseThrow(() -> new NotFoundException("image " + reference
                + " is not in the daemon after the pull"));
    }

    /**
     * Starts an isolated legacy build of a tar context; the output arrives in the returned callback. The image is
     * tagged {@code tag}; intermediate containers are removed even on failure.
     */
    public BuildOutput build(InputStream tarContext, String dockerfilePath, String networkMode, Map<String, String> labels,
            String tag, Limits limits) {
        return call(() -> {
            BuildImageCmd cmd = client.buildImageCmd(tarContext)
                    .withDockerfilePath(dockerfilePath)
                    .withNetworkMode(networkMode)
                    .withForcerm(true)
                    .withRemove(true)
                    .withPull(false)
                    .withLabels(labels)
                    .withTags(Set.of(tag));
            if (limits.memoryBytes() > 0) {
                cmd.withMemory(limits.memoryBytes()).withMemswap(limits.memoryBytes()); // no swap on top
            }
            if (limits.cpusetCpus() != null && !limits.cpusetCpus().isBlank()) {
                cmd.withCpusetcpus(limits.cpusetCpus());
            }
            if (limits.cpuShares() > 0) {
                cmd.withCpushares(Integer.toString(limits.cpuShares()));
            }
            // the legacy builder never runs a step privileged; nothing here can ask for it
            return cmd.exec(new BuildOutput());
        });
    }

    /**
     * Resource limits of every build container: memory in bytes (0: none), the CPUs it may use ({@code 0-1}; null:
     * all) and its CPU weight (0: Docker's default). The CPU quota ({@code kiln.build.cpus}) is not here: docker-java
     * 3.7.1's BuildImageCmd cannot set it, so {@link CpuQuotaHttpClient} adds it to every build of this daemon.
     */
    public record Limits(long memoryBytes, String cpusetCpus, int cpuShares) {
    }

    /** Removes a container (forcefully); a container that is already gone is fine. */
    public void removeContainer(String id) {
        call(() -> {
            try {
                client.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (NotFoundException e) {
                // already gone
            } catch (DockerException e) {
                if (e.getHttpStatus() != 409) { // 409: removal already in progress
                    throw e;
                }
            }
            return null;
        });
    }

    /**
     * {@code docker image prune} of dangling images created more than {@code olderThan} ago; returns the bytes freed.
     */
    public long pruneDanglingImages(java.time.Duration olderThan) {
        return call(() -> {
            Long freed = client.pruneCmd(com.github.dockerjava.api.model.PruneType.IMAGES).withDangling(true)
                    .withUntilFilter(olderThan.toSeconds() + "s").exec().getSpaceReclaimed();
            return freed == null ? 0L : freed;
        });
    }

    public void removeImage(String reference) {
        call(() -> {
            try {
                client.removeImageCmd(reference).withForce(true).exec();
            } catch (NotFoundException e) {
                // already gone
            }
            return null;
        });
    }

    /** The image's history, newest step first, as {@code docker history} shows it. */
    public List<ImageHistory> history(String imageId) {
        return call(() -> client.imageHistoryCmd(imageId).exec());
    }

    /** Opens the files of an image without running it (see {@link ImageFiles}); close it to remove its container. */
    public ImageFiles files(String imageId) {
        return call(() -> new ImageFiles(this, client.createContainerCmd(imageId)
                .withCmd("/kiln-never-started")
                .withNetworkDisabled(true)
                .withHostConfig(HostConfig.newHostConfig().withNetworkMode("none"))
                .withLabels(Map.of("dev.kiln.purpose", "content-manifest"))
                .exec().getId()));
    }

    /** {@code HEAD /containers/{id}/archive}: whether anything is at {@code path}, without copying it. */
    boolean pathExists(String containerId, String path) {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method("HEAD") // Request.Method has no HEAD
                .path("/v" + DockerClients.API_VERSION + "/containers/" + containerId + "/archive?path="
                        + URLEncoder.encode(path, StandardCharsets.UTF_8))
                .build();
        return call(() -> {
            try (DockerHttpClient.Response response = http.execute(request)) {
                int status = response.getStatusCode();
                if (status == 404) {
                    return false;
                }
                if (status != 200) {
                    throw new DockerException("HEAD " + path + " in container " + containerId + ": HTTP " + status, status);
                }
                return true;
            }
        });
    }

    /** Copies the regular file at {@code path} of a container to {@code out}; false when there is none. */
    boolean copyRegularFile(String containerId, String path, OutputStream out) {
        return call(() -> {
            try (InputStream in = client.copyArchiveFromContainerCmd(containerId, path).exec();
                    TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    if (e.isFile()) {
                        tar.transferTo(out);
                        return true;
                    }
                }
                return false;
            } catch (NotFoundException e) {
                return false;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private <T> T call(Supplier<T> action) {
        try {
            return action.get();
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private RuntimeException translate(RuntimeException e) {
        if (e instanceof DockerException || e instanceof DockerUnavailableException || e instanceof DockerClientException) {
            return e;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return new DockerUnavailableException(host, e);
            }
        }
        return e;
    }

    @PreDestroy
    void close() {
        try {
            client.close();
        } catch (IOException e) {
            // shutting down
        }
    }
}
