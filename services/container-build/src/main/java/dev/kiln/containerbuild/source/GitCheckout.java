package dev.kiln.containerbuild.source;

import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/** A commit of a checked-out git source (service-support {@code GitSources}) packed as the daemon's build context. */
public final class GitCheckout {
    private GitCheckout() {
    }

    /**
     * Writes the tree of {@code commit} in the repository at {@code dir} as an uncompressed tar, as {@code git archive}
     * does: the modes git records (0644, 0755, symbolic links; directories 0755), owner 0:0, and the commit's time as
     * every entry's modification time. Submodules (gitlinks) become empty directories.
     */
    public static void archive(Path dir, String commit, Path tarFile) throws java.io.IOException {
        try (Repository repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().setWorkTree(dir.toFile())
                        .setGitDir(dir.resolve(".git").toFile()).build();
                org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo);
                org.eclipse.jgit.treewalk.TreeWalk tree = new org.eclipse.jgit.treewalk.TreeWalk(repo);
                java.io.OutputStream out = new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(tarFile));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            org.eclipse.jgit.revwalk.RevCommit c = walk.parseCommit(ObjectId.fromString(commit));
            java.nio.file.attribute.FileTime time = java.nio.file.attribute.FileTime.from(
                    java.time.Instant.ofEpochSecond(c.getCommitTime()));
            tree.addTree(c.getTree());
            tree.setRecursive(false);
            while (tree.next()) {
                FileMode mode = tree.getFileMode(0);
                String name = tree.getPathString();
                TarArchiveEntry e;
                if (mode == FileMode.TREE || mode == FileMode.GITLINK) {
                    e = new TarArchiveEntry(name + "/", TarConstants.LF_DIR);
                    e.setMode(0755);
                } else if (mode == FileMode.SYMLINK) {
                    e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
                    e.setLinkName(new String(repo.open(tree.getObjectId(0)).getBytes(), java.nio.charset.StandardCharsets.UTF_8));
                    e.setMode(0777);
                } else {
                    e = new TarArchiveEntry(name, TarConstants.LF_NORMAL);
                    e.setMode(mode == FileMode.EXECUTABLE_FILE ? 0755 : 0644);
                }
                e.setIds(0, 0);
                e.setNames("", "");
                e.setModTime(time);
                if (e.isSymbolicLink() || e.isDirectory()) {
                    tar.putArchiveEntry(e);
                } else {
                    org.eclipse.jgit.lib.ObjectLoader blob = repo.open(tree.getObjectId(0));
                    e.setSize(blob.getSize());
                    tar.putArchiveEntry(e);
                    blob.copyTo(tar);
                }
                tar.closeArchiveEntry();
                if (mode == FileMode.TREE) {
                    tree.enterSubtree();
                }
            }
            tar.finish();
        }
    }
}
