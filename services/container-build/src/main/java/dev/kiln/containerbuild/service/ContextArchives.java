package dev.kiln.containerbuild.service;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Unpacking uploaded contexts (tar or gzip tar) safely, and packing a directory as the daemon's build context. */
public final class ContextArchives {
    private ContextArchives() {
    }

    /** Thrown for an archive that is not a tar, or that tries to write outside its directory. */
    public static class InvalidArchiveException extends IOException {
        public InvalidArchiveException(String message) {
            super(message);
        }
    }

    /** Unpacks {@code archive} (tar, or tar compressed with gzip) into {@code target}, refusing paths that escape it. */
    public static void extract(Path archive, Path target) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive))) {
            raw.mark(2);
            int b1 = raw.read();
            int b2 = raw.read();
            raw.reset();
            InputStream in = b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(raw) : raw;
            int entries = 0;
            try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    entries++;
                    String name = e.getName();
                    Path dest = root.resolve(name).normalize();
                    if (!dest.startsWith(root) || Path.of(name).isAbsolute()) {
                        throw new InvalidArchiveException("entry " + name + " points outside the context");
                    }
                    if (dest.equals(root)) {
                        continue;
                    }
                    checkParent(root, dest);
                    if (e.isDirectory()) {
                        Files.createDirectories(dest);
                    } else if (e.isSymbolicLink()) {
                        Files.deleteIfExists(dest);
                        Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
                    } else if (e.isLink()) {
                        Path source = root.resolve(e.getLinkName()).normalize();
                        if (!source.startsWith(root) || !Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                            throw new InvalidArchiveException("hard link " + name + " points outside the context");
                        }
                        Files.copy(source, dest, StandardCopyOption.REPLACE_EXISTING);
                    } else if (e.isFile()) {
                        Files.deleteIfExists(dest);
                        Files.copy(tar, dest);
                        setMode(dest, e.getMode());
                    }
                    // devices, fifos: not part of a build context
                }
            }
            if (entries == 0) {
                throw new InvalidArchiveException("the archive is empty or not a tar");
            }
        } catch (java.util.zip.ZipException e) {
            throw new InvalidArchiveException("not a gzip tar: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidArchiveException("not a tar: " + e.getMessage());
        }
    }

    private static void checkParent(Path root, Path dest) throws IOException {
        Path parent = dest.getParent();
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(root)) {
            throw new InvalidArchiveException("entry " + root.relativize(dest) + " would be written through a symbolic link outside the context");
        }
    }

    /** Packs {@code dir} (without a top-level {@code .git}) as an uncompressed tar into {@code tarFile}. */
    public static void tar(Path dir, Path tarFile) throws IOException {
        List<Path> paths = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                if (d.equals(dir.resolve(".git"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                if (!d.equals(dir)) {
                    paths.add(d);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                paths.add(f);
                return FileVisitResult.CONTINUE;
            }
        });
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarFile));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path p : paths) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isSymbolicLink(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
                    e.setLinkName(Files.readSymbolicLink(p).toString());
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else if (Files.isDirectory(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/");
                    e.setMode(040755);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else if (Files.isRegularFile(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(p.toFile(), name);
                    e.setMode(0100000 | (Files.isExecutable(p) ? 0755 : 0644));
                    tar.putArchiveEntry(e);
                    Files.copy(p, tar);
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        }
    }

    private static void setMode(Path file, int mode) throws IOException {
        if ((mode & 0111) == 0) {
            return;
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            if ((mode & 0010) != 0) {
                perms.add(PosixFilePermission.GROUP_EXECUTE);
            }
            if ((mode & 0001) != 0) {
                perms.add(PosixFilePermission.OTHERS_EXECUTE);
            }
            Files.setPosixFilePermissions(file, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: modes are lost
        }
    }

    /** Deletes a directory tree, best effort. */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
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
            // temp files: the OS cleans up what is left
        }
    }
}
