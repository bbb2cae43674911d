package dev.kiln.qa.client;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.command.PullImageCmd;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.ContainerConfig;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.qa.domain.CommandRun;
import dev.kiln.qa.domain.ContainerRun;
import dev.kiln.qa.domain.FileEntry;
import dev.kiln.qa.domain.RunLimits;
import dev.kiln.support.docker.DaemonErrors;
import dev.kiln.support.docker.DockerClients;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.TransientFailure;
import dev.kiln.support.registry.RegistryEndpoint;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.jboss.logging.Logger;

/**
 * Runs an image's default command in an isolated container through docker-java: no network, a memory and process
 * limit, no privileges, no new privileges. Daemon trouble is raised as {@link CheckFailure}.
 *
 * <p>Longer than the house's 300 lines: every daemon call qa makes (pull, create with limits, run, archive reads,
 * removal) and the one translation of daemon errors into {@link CheckFailure}.
 */
public final class DockerRunner {
    private static final Logger LOG = Logger.getLogger(DockerRunner.class);
    private static final int MAX_OUTPUT_CHARS = 1 << 20;

    private final DockerClient docker;
    private final Optional<AuthConfig> candidateAuth;
    private final String candidate;

    /** A runner on {@code docker} that pulls anonymously. */
    public DockerRunner(DockerClient docker) {
        this.docker = docker;
        this.candidate = "";
        this.candidateAuth = Optional.empty();
    }

    /** A runner on {@code docker} that pulls from {@code candidate} with qa's credentials there, if it has them. */
    public DockerRunner(DockerClient docker, RegistryEndpoint candidate) {
        this.docker = docker;
        this.candidate = candidate.address();
        this.candidateAuth = DockerClients.registryAuth(candidate.address(), candidate.username(), candidate.password());
    }

    /**
     * Pulls {@code repository@digest} (e.g. {@code localhost:5000/hello}, {@code sha256:…}) into the daemon: a
     * {@link CheckFailure} when the image cannot be had (missing, refused), a {@link TransientFailure} when trying
     * again may help (registry or daemon away, a timeout).
     */
    public void pull(String repository, String digest, Duration timeout) {
        try {
            PullImageCmd pull = docker.pullImageCmd(repository).withTag(digest);
            if (repository.startsWith(candidate + "/")) {
                // the daemon asks the registry's token realm as qa (its service token may pull candidates)
                candidateAuth.ifPresent(pull::withAuthConfig);
            }
            boolean done = pull.exec(new PullImageResultCallback()).awaitCompletion(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
            if (!done) {
                throw new TransientFailure("pulling " + repository + "@" + digest + " took longer than "
                        + timeout.toSeconds() + "s", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransientFailure("interrupted while pulling " + repository + "@" + digest, e);
        } catch (TransientFailure e) {
            throw e;
        } catch (RuntimeException e) {
            String sentence = "could not pull " + repository + "@" + digest + ": " + message(e);
            if (FailureKind.isTransient(e) || DaemonErrors.isTransientPullFailure(e)) {
                // the registry or the daemon is away: the run is tried again, no result is an ERROR for it
                throw new TransientFailure(sentence, e);
            }
            throw new CheckFailure(sentence, e);
        }
    }

    /** Whether the image has an ENTRYPOINT or CMD to run. */
    public boolean hasDefaultCommand(String image) {
        ContainerConfig config = inspect(image).getConfig();
        return config != null && (notEmpty(config.getEntrypoint()) || notEmpty(config.getCmd()));
    }

    /** The isolation every test container gets: no network, memory (swap included) and process limits, no privileges. */
    static HostConfig isolated(RunLimits limits) {
        return HostConfig.newHostConfig()
                .withNetworkMode("none")
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes())
                .withPidsLimit(limits.pidsLimit())
                .withPrivileged(false)
                .withSecurityOpts(List.of("no-new-privileges"));
    }

    /** The image's metadata. */
    public InspectImageResponse inspect(String image) {
        try {
            return docker.inspectImageCmd(image).exec();
        } catch (RuntimeException e) {
            throw new CheckFailure("could not inspect " + image + ": " + message(e), e);
        }
    }

    /**
     * Runs {@code command} (the image's entrypoint cleared, as container-structure-test does) with {@code env} in a
     * fresh isolated container, waits up to the limit (then kills it), collects stdout and stderr separately, commits
     * the container to an untagged image when {@code commit} (for setup steps), and removes the container.
     */
    public CommandRun exec(String image, List<String> command, List<String> env, RunLimits limits, boolean commit) {
        return exec(image, command, env, null, false, limits, commit);
    }

    /**
     * {@link #exec(String, List, List, RunLimits, boolean)} as {@code user} (the image's user when null) and, when
     * {@code tty}, with a terminal: stdout and stderr are then one stream, read as stdout (as {@code docker run -t}).
     */
    public CommandRun exec(String image, List<String> command, List<String> env, String user, boolean tty,
            RunLimits limits, boolean commit) {
        String id;
        try {
            var create = docker.createContainerCmd(image)
                    .withName("kiln-qa-" + UUID.randomUUID().toString().substring(0, 12))
                    .withLabels(Map.of("dev.kiln.qa", "structure-test"))
                    .withEntrypoint(new String[0])
                    .withCmd(command)
                    .withEnv(env)
                    .withTty(tty)
                    .withHostConfig(isolated(limits));
            if (user != null) {
                create.withUser(user);
            }
            id = create.exec().getId();
        } catch (RuntimeException e) {
            throw new CheckFailure("could not create a container from " + image + ": " + message(e), e);
        }
        try {
            try {
                docker.startContainerCmd(id).exec();
            } catch (RuntimeException e) {
                // e.g. the executable does not exist in the image: a verdict on the test, like a shell's 127
                return new CommandRun(127, false, "", "could not start " + command.get(0) + ": " + message(e), null);
            }
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
            StringBuilder out = new StringBuilder();
            StringBuilder err = new StringBuilder();
            ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
                @Override
                public void onNext(Frame frame) {
                    StringBuilder target = frame.getStreamType() == StreamType.STDERR ? err : out;
                    synchronized (target) {
                        if (target.length() < MAX_OUTPUT_CHARS) {
                            target.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                        }
                    }
                }
            };
            docker.logContainerCmd(id).withStdOut(true).withStdErr(true).exec(callback).awaitCompletion(30, TimeUnit.SECONDS);
            String committed = null;
            if (commit && !timedOut) {
                committed = docker.commitCmd(id).withLabels(Map.of("dev.kiln.qa", "structure-test")).exec();
            }
            synchronized (out) {
                synchronized (err) {
                    return new CommandRun(exitCode, timedOut, out.toString(), err.toString(), committed);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckFailure("interrupted while running " + image, e);
        } catch (CheckFailure e) {
            throw e;
        } catch (Exception e) {
            throw new CheckFailure("could not run " + command + " in " + image + ": " + message(e), e);
        } finally {
            removeContainer(id);
        }
    }

    /** A reader of the daemon's archive of one path (a tar whose first entry is the path itself). */
    @FunctionalInterface
    public interface ArchiveReader<T> {
        T read(TarArchiveInputStream tar) throws IOException;
    }

    /**
     * Creates a fresh (never started) isolated container from {@code image} and reads {@code path} from it through the
     * archive API; empty when the path does not exist.
     */
    public <T> Optional<T> readPath(String image, String path, RunLimits limits, ArchiveReader<T> reader) {
        String id;
        try {
            id = docker.createContainerCmd(image)
                    .withName("kiln-qa-" + UUID.randomUUID().toString().substring(0, 12))
                    .withLabels(Map.of("dev.kiln.qa", "structure-test"))
                    .withEntrypoint(new String[0])
                    .withCmd("kiln-qa-never-started")
                    .withHostConfig(isolated(limits))
                    .exec().getId();
        } catch (RuntimeException e) {
            throw new CheckFailure("could not create a container from " + image + ": " + message(e), e);
        }
        try (InputStream in = docker.copyArchiveFromContainerCmd(id, path).exec();
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            return Optional.ofNullable(reader.read(tar));
        } catch (NotFoundException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw new CheckFailure("could not read " + path + " from " + image + ": " + message(e), e);
        } finally {
            removeContainer(id);
        }
    }

    /** The path's own entry (mode, owner), or empty when it does not exist. */
    public Optional<FileEntry> stat(String image, String path, RunLimits limits) {
        return readPath(image, path, limits, tar -> {
            TarArchiveEntry e = tar.getNextEntry();
            return e == null ? null : entry(path, e);
        });
    }

    /** Up to {@code maxBytes} of a regular file; empty when it does not exist. Throws for a directory. */
    public Optional<byte[]> readFile(String image, String path, long maxBytes, RunLimits limits) {
        return readPath(image, path, limits, tar -> {
            TarArchiveEntry e = tar.getNextEntry();
            if (e == null) {
                return null;
            }
            if (e.isDirectory()) {
                throw new IOException(path + " is a directory");
            }
            if (e.isSymbolicLink()) {
                throw new IOException(path + " is a symbolic link to " + e.getLinkName() + "; test the target instead");
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = tar.read(buf)) > 0 && bytes.size() < maxBytes) {
                bytes.write(buf, 0, (int) Math.min(n, maxBytes - bytes.size()));
            }
            return bytes.toByteArray();
        });
    }

    /** Every entry under {@code path} (the path itself first), or empty when it does not exist. */
    public Optional<List<FileEntry>> list(String image, String path, RunLimits limits) {
        return readPath(image, path, limits, tar -> {
            List<FileEntry> entries = new ArrayList<>();
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.add(entry(e.getName(), e));
            }
            return entries;
        });
    }

    /** Streams {@code docker save} of {@code image} to {@code reader}. */
    public <T> T save(String image, ArchiveReader<T> reader) {
        try (InputStream in = docker.saveImageCmd(image).exec();
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            return reader.read(tar);
        } catch (IOException | RuntimeException e) {
            throw new CheckFailure("could not save " + image + " from the daemon: " + message(e), e);
        }
    }

    private static FileEntry entry(String path, TarArchiveEntry e) {
        return new FileEntry(path, e.getMode(), e.getLongUserId(), e.getLongGroupId(), e.isDirectory(),
                e.isSymbolicLink(), e.isSymbolicLink() ? e.getLinkName() : null);
    }

    private void removeContainer(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // gone already
        } catch (RuntimeException e) {
            LOG.warnf("could not remove test container %s: %s", id, message(e));
        }
    }

    /** Runs the image's default command, waits for it up to the limit (then kills it), and removes the container. */
    public ContainerRun run(String image, RunLimits limits) {
        HostConfig host = isolated(limits);
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
            removeContainer(id);
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

    public static String message(Throwable e) {
        return DaemonErrors.text(e);
    }
}
