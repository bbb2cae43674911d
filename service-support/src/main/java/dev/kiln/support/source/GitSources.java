package dev.kiln.support.source;

import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.ResetCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.errors.AmbiguousObjectException;
import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.errors.RevisionSyntaxException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * A build's git source, the same way in every service that reads one (the hub for the NVR labels, container-build
 * for the build, qa for the tests): a name is resolved to a commit as a branch first, then a tag, then anything git
 * itself understands (a commit id, {@code HEAD~1}). Needs JGit on the service's class path (an optional dependency
 * of service-support).
 */
public final class GitSources {
    private GitSources() {
    }

    /**
     * The commit {@code name} names in {@code repo}, or null: {@code refs/remotes/origin/<name>} (a clone) or
     * {@code refs/heads/<name>} (a bare clone), then {@code refs/tags/<name>}, then {@code name} as git reads it.
     */
    public static ObjectId resolve(Repository repo, String name) throws IOException {
        for (String candidate : new String[] {"refs/remotes/origin/" + name, "refs/heads/" + name, "refs/tags/" + name,
                name}) {
            try {
                ObjectId id = repo.resolve(candidate + "^{commit}");
                if (id != null) {
                    return id;
                }
            } catch (RevisionSyntaxException | AmbiguousObjectException | MissingObjectException
                    | IncorrectObjectTypeException e) {
                // try the next spelling
            }
        }
        return null;
    }

    /**
     * Clones {@code url} into {@code dir} and makes the work tree exactly {@code commit}'s, or {@code ref}'s (a branch,
     * tag or commit) when {@code commit} is null; answers the commit id. An unknown name is an
     * {@link IllegalArgumentException} (trying again cannot help); a clone that fails is the {@link GitAPIException}.
     */
    public static String checkout(String url, String ref, String commit, Path dir) throws GitAPIException, IOException {
        try (Git git = Git.cloneRepository().setURI(url).setDirectory(dir.toFile()).setCloneAllBranches(true)
                .setNoCheckout(true).call()) {
            String wanted = commit != null ? commit : ref;
            ObjectId id = resolve(git.getRepository(), wanted);
            if (id == null) {
                throw new IllegalArgumentException((commit != null ? "commit " : "ref ") + wanted + " is not in " + url);
            }
            // a throw-away clone: move its branch to the wanted commit and make the work tree match it exactly
            git.reset().setMode(ResetCommand.ResetType.HARD).setRef(id.name()).call();
            return id.name();
        }
    }
}
