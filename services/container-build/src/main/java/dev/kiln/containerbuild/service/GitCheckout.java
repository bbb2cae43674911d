package dev.kiln.containerbuild.service;

import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** Clones a git repository with JGit and checks out one commit (detached). */
public final class GitCheckout {
    private GitCheckout() {
    }

    /**
     * Clones {@code url} into {@code dir} and checks out {@code commit}, or {@code ref} (a branch, tag or commit) when
     * {@code commit} is null. Returns the commit id checked out.
     */
    public static String checkout(String url, String ref, String commit, Path dir) throws GitAPIException, java.io.IOException {
        try (Git git = Git.cloneRepository()
                .setURI(url)
                .setDirectory(dir.toFile())
                .setCloneAllBranches(true)
                .call()) {
            Repository repo = git.getRepository();
            String wanted = commit != null ? commit : ref;
            ObjectId id = resolve(repo, wanted);
            if (id == null) {
                throw new IllegalArgumentException((commit != null ? "commit " : "ref ") + wanted + " is not in " + url);
            }
            // a throw-away clone: move its branch to the wanted commit and make the work tree match it exactly
            git.reset().setMode(org.eclipse.jgit.api.ResetCommand.ResetType.HARD).setRef(id.name()).call();
            return id.name();
        }
    }

    private static ObjectId resolve(Repository repo, String name) throws java.io.IOException {
        for (String candidate : new String[] {"refs/remotes/origin/" + name, "refs/tags/" + name, name + "^{commit}"}) {
            try {
                ObjectId id = repo.resolve(candidate.startsWith("refs/") ? candidate + "^{commit}" : candidate);
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
}
