package dev.kiln.qa.client;

import dev.kiln.events.Source;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.TransientFailure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Reads a build's container test files ({@code tests/*.yaml} and {@code tests/*.yml} at the source root) from its
 * source: an uploaded context fetched from the hub by digest (checked against it), or a git commit cloned with JGit.
 */
@ApplicationScoped
public class SourceFiles {
    /** A test file larger than this is refused. */
    static final int MAX_TEST_FILE_BYTES = 1 << 20;

    @Inject
    @RestClient
    HubClient hub;

    /**
     * The files directly in the source's {@code tests/} directory: name (e.g. {@code tests/app.yaml}, {@code
     * tests/envfile}) to content, sorted by name; empty when there is no tests directory. A test file larger than
     * {@value #MAX_TEST_FILE_BYTES} bytes is refused; another file that large is left out.
     */
    public Map<String, String> testFiles(Source source) {
        return source.kind() == Source.Kind.CONTEXT ? fromContext(source.contextDigest()) : fromGit(source);
    }

    public static boolean isTestFile(String name) {
        return name.matches("tests/[^/]+\\.ya?ml");
    }

    static boolean inTestsDirectory(String name) {
        return name.matches("tests/[^/]+");
    }

    /** Whether a file of {@code size} bytes is read; throws for a test file too large to read. */
    private static boolean wanted(String name, long size) throws IOException {
        if (size <= MAX_TEST_FILE_BYTES) {
            return true;
        }
        if (isTestFile(name)) {
            throw new IOException(name + " is larger than " + MAX_TEST_FILE_BYTES + " bytes");
        }
        return false;
    }

    private Map<String, String> fromContext(String digest) {
        Path archive = null;
        try {
            archive = Files.createTempFile("kiln-qa-context-", ".archive");
            String actual;
            try (InputStream in = hub.context(digest);
                    DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(archive), sha256())) {
                in.transferTo(out);
                out.flush();
                actual = "sha256:" + HexFormat.of().formatHex(out.getMessageDigest().digest());
            }
            if (!actual.equals(digest)) {
                throw new CheckFailure("the build context served for " + digest + " has digest " + actual, null);
            }
            try {
                return readTar(archive);
            } catch (IOException e) {
                throw new CheckFailure("could not read the build context " + digest + ": " + DockerRunner.message(e), e);
            }
        } catch (WebApplicationException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatus();
            if (FailureKind.isTransient(e)) {
                // the hub is restarting or overloaded: the consumer tries the whole run again, no ERROR result
                throw new TransientFailure("build-submission answered " + status + " for the build context " + digest, e);
            }
            throw new CheckFailure("build-submission answered " + status + " for the build context " + digest, e);
        } catch (ProcessingException | IOException e) {
            throw new TransientFailure("could not download the build context " + digest + " from build-submission: "
                    + DockerRunner.message(e), e);
        } finally {
            if (archive != null) {
                try {
                    Files.deleteIfExists(archive);
                } catch (IOException e) {
                    // a temp file
                }
            }
        }
    }

    static Map<String, String> readTar(Path archive) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            raw.mark(2);
            int b1 = raw.read();
            int b2 = raw.read();
            raw.reset();
            InputStream in = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(raw) : raw;
            try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    String name = e.getName();
                    while (name.startsWith("./")) {
                        name = name.substring(2);
                    }
                    if (e.isFile() && inTestsDirectory(name) && wanted(name, e.getSize())) {
                        files.put(name, new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (java.util.zip.ZipException | IllegalArgumentException e) {
            throw new IOException("the build context is not a tar or gzip tar: " + e.getMessage(), e);
        }
        return files;
    }

    private Map<String, String> fromGit(Source source) {
        String wanted = source.gitCommit() != null ? source.gitCommit() : source.gitRef();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kiln-qa-git-");
            try (Git git = Git.cloneRepository().setURI(source.gitUrl()).setDirectory(dir.toFile())
                    .setCloneAllBranches(true).setNoCheckout(true).call()) {
                ObjectId id = resolve(git, wanted);
                if (id == null) {
                    throw new CheckFailure(wanted + " is not in " + source.gitUrl(), null);
                }
                git.reset().setMode(ResetCommand.ResetType.HARD).setRef(id.name()).call();
            }
            Map<String, String> files = new TreeMap<>();
            Path tests = dir.resolve("tests");
            if (Files.isDirectory(tests, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> list = Files.list(tests)) {
                    for (Path p : list.sorted().toList()) {
                        String name = "tests/" + p.getFileName();
                        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && wanted(name, Files.size(p))) {
                            files.put(name, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
            return files;
        } catch (CheckFailure e) {
            throw e;
        } catch (Exception e) {
            throw new CheckFailure("could not check out " + source.gitUrl() + " at " + wanted + ": "
                    + DockerRunner.message(e), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static ObjectId resolve(Git git, String name) throws IOException {
        for (String candidate : new String[] {"refs/remotes/origin/" + name + "^{commit}", "refs/tags/" + name + "^{commit}",
                name + "^{commit}"}) {
            try {
                ObjectId id = git.getRepository().resolve(candidate);
                if (id != null) {
                    return id;
                }
            } catch (org.eclipse.jgit.errors.RevisionSyntaxException | org.eclipse.jgit.errors.AmbiguousObjectException
                    | org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
                // try the next form
            }
        }
        return null;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.deleteIfExists(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // temp files
        }
    }

}
