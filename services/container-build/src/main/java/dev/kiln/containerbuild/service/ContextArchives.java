package dev.kiln.containerbuild.service;

import dev.kiln.support.source.Archives;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Unpacking uploaded contexts (tar or gzip tar) safely, for preflight to read, and writing the daemon's build
 * context from the original archive, so that modes, times and links reach the daemon as the maintainer made them.
 */
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
        try (InputStream in = Archives.open(archive)) {
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

    /**
     * Writes the daemon's build context from the archive the source came as: every entry of {@code archive} (tar or
     * gzip tar, already checked by {@link #extract}) is copied with its header unchanged (mode with setuid, setgid and
     * sticky bits, modification time, owner, link target, hard links), so the daemon sees the context exactly as the
     * maintainer made it; only the files named in {@code replaced} (paths relative to the root, such as the pinned
     * Dockerfile) get new contents. Devices and fifos are left out, as {@link #extract} leaves them out. Returns the
     * replaced paths that the archive held.
     */
    public static Set<String> rewrite(Path archive, Path tarFile, Map<String, byte[]> replaced) throws IOException {
        Set<String> done = new HashSet<>();
        try (InputStream in = Archives.open(archive);
                TarArchiveInputStream source = new TarArchiveInputStream(in);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarFile));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            TarArchiveEntry e;
            while ((e = source.getNextEntry()) != null) {
                if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    continue;
                }
                String name = Archives.relativeName(e.getName());
                byte[] contents = regular(e) ? replaced.get(name) : null;
                if (contents != null) {
                    // the entry is the input's own: it gets the new size only while it is written
                    long size = e.getSize();
                    e.setSize(contents.length);
                    tar.putArchiveEntry(e);
                    tar.write(contents);
                    tar.closeArchiveEntry();
                    e.setSize(size);
                    done.add(name);
                    continue;
                } else {
                    tar.putArchiveEntry(e);
                    if (regular(e)) {
                        source.transferTo(tar);
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (java.util.zip.ZipException | IllegalArgumentException e) {
            throw new InvalidArchiveException("not a tar or gzip tar: " + e.getMessage());
        }
        return done;
    }

    /** A regular file with contents (commons-compress calls links and devices files too). */
    private static boolean regular(TarArchiveEntry e) {
        return e.isFile() && !e.isDirectory() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice()
                && !e.isBlockDevice() && !e.isFIFO();
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

}
