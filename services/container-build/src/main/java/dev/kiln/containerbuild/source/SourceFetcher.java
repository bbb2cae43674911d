package dev.kiln.containerbuild.source;

import static dev.kiln.support.text.Failures.rootMessage;

import dev.kiln.containerbuild.client.HubClient;
import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import dev.kiln.support.source.Archives;
import dev.kiln.support.source.GitSources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Brings a build's source into a local directory: the uploaded context from the hub (checked against its digest)
 * or a git checkout. Checks that the Dockerfile is there.
 */
@ApplicationScoped
public class SourceFetcher {
    private static final Logger LOG = Logger.getLogger(SourceFetcher.class);

    /**
     * The fetched source: the context directory (unpacked, for preflight to read), the archive the daemon's context is
     * written from ({@link ContextArchives#rewrite}: the upload as it was stored, or the commit's tree with git's modes),
     * the Dockerfile inside it (relative, with forward slashes) and, for a git source, the commit checked out (null for
     * an uploaded context).
     */
    public record Fetched(Path contextDir, Path archive, String dockerfilePath, String dockerfile, String commit) {
        Fetched with(Path archive, String commit) {
            return new Fetched(contextDir, archive, dockerfilePath, dockerfile, commit);
        }
    }

    @Inject
    @RestClient
    HubClient hub;

    public Fetched fetch(BuildRequested request, Path workDir) throws BuildFailure {
        Path contextDir = workDir.resolve("context");
        Source source = request.source();
        Path archive = workDir.resolve("context.archive");
        String commit = null;
        if (source.kind() == Source.Kind.CONTEXT) {
            fetchContext(source.contextDigest(), archive, contextDir);
        } else {
            commit = fetchGit(source, contextDir);
            try {
                GitCheckout.archive(contextDir, commit, archive);
            } catch (IOException e) {
                throw new BuildFailure(Stage.SOURCE, "source-unavailable", "Could not pack commit " + commit + " of "
                        + source.gitUrl() + " as the build context: " + rootMessage(e) + "; try the build again later.",
                        true, e);
            }
        }
        return dockerfile(request.dockerfilePath(), contextDir).with(archive, commit);
    }

    private void fetchContext(String digest, Path archive, Path contextDir) throws BuildFailure {
        String actual;
        try (InputStream in = hub.context(digest)) {
            actual = Archives.download(in, archive);
        } catch (WebApplicationException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatus();
            if (status == 404) {
                throw new BuildFailure(Stage.SOURCE, "source-unavailable", "The build context " + digest
                        + " is not stored in build-submission (404); upload the context again and submit a new build.", false);
            }
            throw new BuildFailure(Stage.SOURCE, "source-unavailable", "build-submission answered " + status
                    + " for the build context " + digest + "; try the build again later.", status >= 500);
        } catch (ProcessingException | IOException e) {
            LOG.warnf(e, "fetching context %s failed", digest);
            throw new BuildFailure(Stage.SOURCE, "source-unavailable", "Could not download the build context " + digest
                    + " from build-submission: " + rootMessage(e) + "; try the build again later.", true);
        }
        if (!actual.equals(digest)) {
            throw new BuildFailure(Stage.SOURCE, "context-digest-mismatch", "The build context served for " + digest
                    + " has digest " + actual + "; the stored upload is damaged, upload the context again and submit a new build.",
                    false);
        }
        try {
            Archives.extract(archive, contextDir);
        } catch (Archives.InvalidArchiveException e) {
            throw new BuildFailure(Stage.SOURCE, "context-invalid", "The build context " + digest
                    + " is not a usable tar or gzip tar archive (" + e.getMessage() + "); upload a tar of the build directory.", false);
        } catch (IOException e) {
            throw new BuildFailure(Stage.SOURCE, "source-unavailable", "Could not unpack the build context " + digest
                    + " on the builder: " + e.getMessage() + "; try the build again later.", true, e);
        }
    }

    private String fetchGit(Source source, Path contextDir) throws BuildFailure {
        String what = source.gitUrl() + " at " + (source.gitCommit() != null ? source.gitCommit() : source.gitRef());
        try {
            String commit = GitSources.checkout(source.gitUrl(), source.gitRef(), source.gitCommit(), contextDir);
            LOG.infof("checked out %s (%s)", what, commit);
            return commit;
        } catch (Exception e) {
            LOG.warnf("git checkout of %s failed: %s", what, rootMessage(e));
            throw new BuildFailure(Stage.SOURCE, "source-unavailable", "Could not check out " + what + ": "
                    + rootMessage(e) + "; check that the repository is reachable from the builders and that the commit exists.",
                    !(e instanceof IllegalArgumentException));
        }
    }

    static Fetched dockerfile(String dockerfilePath, Path contextDir) throws BuildFailure {
        Path root = contextDir.toAbsolutePath().normalize();
        Path file = root.resolve(dockerfilePath).normalize();
        if (!file.startsWith(root) || Path.of(dockerfilePath).isAbsolute()) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "The Dockerfile path " + dockerfilePath
                    + " points outside the build context; give a path relative to the context root.", false);
        }
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "There is no Dockerfile at " + dockerfilePath
                    + " in the build context; add it, or submit again with the right Dockerfile path.", false);
        }
        try {
            // a directory on the way may be a symbolic link (d -> /etc): the file read must be the context's
            if (!file.toRealPath().startsWith(root.toRealPath())) {
                throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "The Dockerfile path " + dockerfilePath
                        + " goes through a symbolic link that leaves the build context; give the path of the file"
                        + " itself.", false);
            }
        } catch (IOException e) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "The Dockerfile at " + dockerfilePath
                    + " cannot be read (" + rootMessage(e) + ").", false);
        }
        try {
            return new Fetched(root, null, root.relativize(file).toString().replace('\\', '/'), Files.readString(file),
                    null);
        } catch (IOException e) {
            throw new BuildFailure(Stage.SOURCE, "dockerfile-missing", "The Dockerfile at " + dockerfilePath
                    + " cannot be read as text (" + e.getMessage() + "); save it as UTF-8.", false);
        }
    }
}
