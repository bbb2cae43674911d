package dev.kiln.qa;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.PushResponseItem;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.ImagePushed;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.testsupport.RegistryProcess;
import dev.kiln.testsupport.TestDocker;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;

/** Test images built from the local busybox base and pushed to the test registry; test sources (context, git). */
final class TestImages {
    static final List<String> LOCAL_TAGS = new ArrayList<>();

    private TestImages() {
    }

    /** Builds {@code dockerfile} (with extra context files, executable when the name ends in .sh) as a local image. */
    static String build(DockerClient docker, String tag, String dockerfile, Map<String, String> files) throws Exception {
        Path context = Files.createTempDirectory("kiln-qa-ctx-");
        Files.writeString(context.resolve("Dockerfile"), dockerfile.replace("$BASE", TestDocker.BASE_IMAGE));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = context.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
            if (f.getKey().endsWith(".sh")) {
                p.toFile().setExecutable(true, false);
            }
        }
        synchronized (LOCAL_TAGS) {
            LOCAL_TAGS.add(tag);
        }
        return docker.buildImageCmd(context.toFile()).withTags(Set.of(tag)).withNetworkMode("none")
                .withPull(false).withForcerm(true).exec(new BuildImageResultCallback()).awaitImageId(2, TimeUnit.MINUTES);
    }

    /** Builds and pushes {@code repository:1.0-1} to the test registry; returns its image.pushed event. */
    static ImagePushed publish(DockerClient docker, String component, String repository, String dockerfile,
            Map<String, String> files) throws Exception {
        RegistryProcess registry = CandidateRegistryResource.registry();
        String name = registry.hostPort() + "/" + repository;
        String tag = "1.0-1";
        build(docker, name + ":" + tag, dockerfile, files);
        docker.pushImageCmd(name).withTag(tag).exec(new ResultCallback.Adapter<PushResponseItem>())
                .awaitCompletion(2, TimeUnit.MINUTES);
        RegistryClient client = registry.client();
        RegistryClient.Manifest manifest = client.getManifest(repository, tag).orElseThrow();
        return new ImagePushed(UUID.randomUUID().toString(), component, false, new Nvr(component, "1.0", "1"),
                registry.hostPort(), repository, List.of(tag), manifest.digest(), manifest.mediaType(),
                manifest.bytes().length, Instant.now());
    }

    /** A build.requested whose uploaded context (served by the test hub) holds {@code files}. */
    static BuildRequested contextBuild(String buildId, String component, Map<String, String> files) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                byte[] bytes = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry("./" + f.getKey());
                e.setSize(bytes.length);
                tar.putArchiveEntry(e);
                tar.write(bytes);
                tar.closeArchiveEntry();
            }
        }
        String digest = CandidateRegistryResource.serveContext(out.toByteArray());
        return new BuildRequested(buildId, component, Source.context(digest), "Dockerfile", false, "tester",
                new Nvr(component, "1.0", "1"), null, Instant.now());
    }

    /** A build.requested from a new local git repository (file URL) with {@code files} committed on main. */
    static BuildRequested gitBuild(String buildId, String component, Map<String, String> files) throws Exception {
        Path dir = Files.createTempDirectory("kiln-qa-git-");
        String commit;
        try (Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = dir.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            git.add().addFilepattern(".").call();
            RevCommit c = git.commit().setMessage("tests").setAuthor("t", "t@example.org").setCommitter("t", "t@example.org")
                    .setSign(false).call();
            commit = c.getName();
        }
        return new BuildRequested(buildId, component, Source.git(dir.toUri().toString(), "main", commit), "Dockerfile",
                false, "tester", new Nvr(component, "1.0", "1"), null, Instant.now());
    }

    static void removeLocalImages(DockerClient docker) {
        synchronized (LOCAL_TAGS) {
            for (String tag : LOCAL_TAGS) {
                try {
                    docker.removeImageCmd(tag).withForce(true).exec();
                } catch (NotFoundException e) {
                    // gone already
                }
            }
            LOCAL_TAGS.clear();
        }
    }
}
