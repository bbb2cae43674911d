package dev.kiln.support.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;

/** The one way a git source is read: a real repository made with JGit, cloned over file://. */
class GitSourcesTest {

    @Test
    void aNameIsABranchFirstThenATagThenWhatGitReads() throws Exception {
        Path origin = Files.createTempDirectory("kiln-git-origin-");
        Path clone = Files.createTempDirectory("kiln-git-clone-");
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("Dockerfile"), "FROM scratch\n");
            git.add().addFilepattern(".").call();
            RevCommit first = git.commit().setMessage("first").setSign(false).call();
            git.tag().setName("release").setObjectId(first).setAnnotated(false).call();
            Files.writeString(origin.resolve("Dockerfile"), "FROM scratch\nLABEL v=2\n");
            git.add().addFilepattern(".").call();
            RevCommit second = git.commit().setMessage("second").setSign(false).call();
            // a branch and a tag with the same name: the branch wins, in every service
            git.branchCreate().setName("release").setStartPoint(second).call();

            String checkedOut = GitSources.checkout(origin.toUri().toString(), "release", null, clone);
            assertEquals(second.name(), checkedOut);
            assertTrue(Files.readString(clone.resolve("Dockerfile")).contains("LABEL v=2"));
            assertEquals(first.name(), GitSources.resolve(git.getRepository(), "refs/tags/release").name());
            ObjectId byId = GitSources.resolve(git.getRepository(), first.name());
            assertEquals(first.name(), byId.name());
            assertNull(GitSources.resolve(git.getRepository(), "no-such-ref"));
            Path other = Files.createTempDirectory("kiln-git-clone-");
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                    () -> GitSources.checkout(origin.toUri().toString(), "no-such-ref", null, other));
            assertTrue(unknown.getMessage().contains("ref no-such-ref is not in"), unknown.getMessage());
            Archives.deleteTree(other);
        } finally {
            Archives.deleteTree(origin);
            Archives.deleteTree(clone);
        }
        assertFalse(Files.exists(origin));
    }
}
