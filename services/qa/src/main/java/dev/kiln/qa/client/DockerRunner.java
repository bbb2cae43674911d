package dev.kiln.qa.client;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.qa.domain.ContainerRun;
import dev.kiln.qa.domain.RunLimits;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs an image's default command in an isolated container through docker-java: no network, a memory and process
 * limit, no privileges, no new privileges. Daemon trouble is raised as {@link CheckFailure}.
 */
public final class DockerRunner {
    private static final Logger LOG = Logger.getLogger(DockerRunner.class);

    private final DockerClient docker;

    public DockerRunner(DockerClient docker) {
        this.docker = docker;
    }

    /** Pulls {@code repository@digest} (e.g. {@code localhost:5000/hello}, {@code sha256:…}) into the daemon. */
    public void pull(String repository, String digest, Duration timeout) {
        try {
            boolean done = docker.pullImageCmd(repository).withTag(digest).exec(new PullImageResultCallback())
                    .awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new CheckFailure("pulling " + repository + "@" + digest + " took longer than "
                        + timeout.toSeconds() + "s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckFailure("interrupted while pulling " + repository + "@" + digest, e);
        } catch (CheckFailure e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CheckFailure("could not pull " + repository + "@" + digest + ": " + message(e), e);
        }
    }

    /** Whether the image has an ENTRYPOINT or CMD to run. */
    public boolean hasDefaultCommand(String image) {
        InspectImageResponse inspect;
        try {
            inspect = docker.inspectImageCmd(image).exec();
        } catch (RuntimeException e) {
            throw new CheckFailure("could not inspect " + image + ": " + message(e), e);
        }
        ContainerConfig config = inspect.getConfig();
        return config != null && (notEmpty(config.getEntrypoint()) || notEmpty(config.getCmd()));
    }

    /** Runs the image's default command, waits for it up to the limit (then kills it), and removes the container. */
    public ContainerRun run(String image, RunLimits limits) {
        HostConfig host = HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withPidsLimit(limits.pidsLimit())
                .withPrivileged(false)
                .withSecurityOpts(List.of("no-new-privileges"));
        String id;
        try {
            id = docker.createContainerCmd(image)
                    .withName("kiln-qa-" + UUID.randomUUID().toString().substring(0, 12))
                    .withLabels(Map.of("dev.kiln.qa", "image-starts"))
                    .withHostConfig(host)
                    .exec().getId();
        } catch (RuntimeException e) {
            throw new CheckFailure("could not create a container from " + image + ": " + message(e), e);
        }
        try {
            docker.startContainerCmd(id).exec();
            Integer exitCode = null;
            boolean timedOut;
            try (WaitContainerResultCallback wait = docker.waitContainerCmd(id).exec(new WaitContainerResultCallback())) {
                timedOut = !wait.awaitCompletion(limits.timeout().toMillis(), TimeUnit.MILLISECONDS);
                if (!timedOut) {
                    exitCode = wait.awaitStatusCode();
                }
            }
            if (timedOut) {
                kill(id);
            }
            return new ContainerRun(exitCode, timedOut, lastLogLines(id, limits.logLines()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckFailure("interrupted while running " + image, e);
        } catch (CheckFailure e) {
            throw e;
        } catch (Exception e) {
            throw new CheckFailure("could not run " + image + ": " + message(e), e);
        } finally {
            try {
                docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
            } catch (RuntimeException e) {
                LOG.warnf("could not remove test container %s: %s", id, message(e));
            }
        }
    }

    /** Removes the pulled reference (the image stays when other names still use it). */
    public void removeImage(String image) {
        try {
            docker.removeImageCmd(image).exec();
        } catch (NotFoundException | ConflictException e) {
            LOG.debugf("kept image %s: %s", image, message(e));
        } catch (RuntimeException e) {
            LOG.warnf("could not remove image %s: %s", image, message(e));
        }
    }

    private void kill(String id) {
        try {
            docker.killContainerCmd(id).exec();
        } catch (ConflictException | NotFoundException e) {
            // it ended just now
        }
    }

    private List<String> lastLogLines(String id, int count) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (text) {
                    text.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                }
            }
        };
        docker.logContainerCmd(id).withStdOut(true).withStdErr(true).withTail(count).exec(callback)
                .awaitCompletion(30, TimeUnit.SECONDS);
        List<String> lines;
        synchronized (text) {
            lines = new ArrayList<>(Arrays.asList(text.toString().split("\\r?\\n")));
        }
        lines.removeIf(String::isBlank);
        return lines.size() > count ? lines.subList(lines.size() - count, lines.size()) : lines;
    }

    private static boolean notEmpty(String[] values) {
        return values != null && values.length > 0;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.strip();
    }
}
