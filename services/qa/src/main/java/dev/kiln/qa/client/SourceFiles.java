package dev.kiln.qa.client;

import dev.kiln.events.Source;
import dev.kiln.qa.domain.CheckFailure;
import dev.kiln.support.messaging.FailureKind;
import dev.kiln.support.messaging.TransientFailure;
import dev.kiln.support.source.Archives;
import dev.kiln.support.source.GitSources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Reads a build's container test files ({@code tests/*.yaml} and {@code tests/*.yml} at the source root) from its
 * source: an uploaded context fetched from the hub by digest (checked against it) and unpacked with service-support's
 * safe extractor, or a git commit cloned with JGit.
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
            try (InputStream in = hub.context(digest)) {
                actual = Archives.download(in, archive);
            }
            if (!actual.equals(digest)) {
                throw new CheckFailure("the build context served for " + digest + " has digest " + actual, null);
            }
            Path dir = Files.createTempDirectory("kiln-qa-context-");
            try {
                Archives.extract(archive, dir, name -> name.startsWith("tests/"));
                return testsIn(dir);
            } catch (IOException e) {
                throw new CheckFailure("could not read the build context " + digest + ": " + DockerRunner.message(e), e);
            } finally {
                Archives.deleteTree(dir);
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

    private Map<String, String> fromGit(Source source) {
        String wanted = source.gitCommit() != null ? source.gitCommit() : source.gitRef();
        Path dir = null;
        try {
            dir = Files.createTempDirectory("kiln-qa-git-");
            try {
                GitSources.checkout(source.gitUrl(), source.gitRef(), source.gitCommit(), dir);
            } catch (IllegalArgumentException unknown) {
                throw new CheckFailure(wanted + " is not in " + source.gitUrl(), null);
            }
            return testsIn(dir);
        } catch (CheckFailure e) {
            throw e;
        } catch (Exception e) {
            throw new CheckFailure("could not check out " + source.gitUrl() + " at " + wanted + ": "
                    + DockerRunner.message(e), e);
        } finally {
            Archives.deleteTree(dir);
        }
    }

    /** The files directly in {@code dir/tests} (links not followed), as {@link #testFiles} answers them. */
    static Map<String, String> testsIn(Path dir) throws IOException {
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
    }
}
