package dev.kiln.buildsubmission.client;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.support.source.GitSources;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FileUtils;

/** Reads one file of a git repository at a ref, by cloning it (bare) into a temporary directory with JGit. */
@ApplicationScoped
public class GitClient {
    /** The commit a ref resolved to and the file's text there. */
    public record FileAtCommit(String commit, String content) {
    }

    private static final long MAX_FILE_BYTES = 1024 * 1024;

    private final int timeoutSeconds;

    @Inject
    public GitClient(KilnConfig config) {
        this(config.git().timeoutSeconds());
    }

    public GitClient(int timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
    }

    public FileAtCommit read(String url, String ref, String path) throws GitSourceException {
        Path dir;
        try {
            dir = Files.createTempDirectory("kiln-git-");
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temporary directory: " + e.getMessage(), e);
        }
        try (Git git = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setBare(true)
                .setCloneAllBranches(true).setTimeout(timeoutSeconds).call()) {
            Repository repo = git.getRepository();
            ObjectId commitId = resolve(repo, ref);
            if (commitId == null) {
                throw new GitSourceException("git ref " + ref + " was not found in " + url
                        + ": name a branch, a tag or a commit of that repository");
            }
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit commit = walk.parseCommit(commitId);
                try (TreeWalk tw = TreeWalk.forPath(repo, path, commit.getTree())) {
                    if (tw == null || tw.isSubtree()) {
                        throw new GitSourceException(path + " was not found in " + url + " at " + ref + " ("
                                + commit.name() + ")");
                    }
                    ObjectLoader loader = repo.open(tw.getObjectId(0));
                    if (loader.getSize() > MAX_FILE_BYTES) {
                        throw new GitSourceException(path + " in " + url + " is larger than 1 MiB");
                    }
                    return new FileAtCommit(commit.name(), new String(loader.getBytes(), StandardCharsets.UTF_8));
                }
            }
        } catch (GitAPIException e) {
            throw new GitSourceException("cannot clone " + url + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new GitSourceException("cannot read " + url + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            // JGit reports some transport problems (bad URLs, unknown hosts) as runtime exceptions
            throw new GitSourceException("cannot clone " + url + ": " + e.getMessage(), e);
        } finally {
            try {
                FileUtils.delete(dir.toFile(), FileUtils.RECURSIVE | FileUtils.RETRY | FileUtils.SKIP_MISSING);
            } catch (IOException ignored) {
                // a temporary directory left behind is harmless
            }
        }
    }

    private static ObjectId resolve(Repository repo, String ref) throws IOException {
        return GitSources.resolve(repo, ref);
    }
}
