package dev.kiln.support.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Build contexts as files, the same way in container-build and qa: downloaded with their digest computed on the way,
 * opened as a tar whether gzip-compressed or not, unpacked safely, entry names relative to the context root, and the
 * scratch directories deleted afterwards.
 */
public final class Archives {
    private Archives() {
    }

    /** Thrown for an archive that is not a tar, or that tries to write outside its directory. */
    public static class InvalidArchiveException extends IOException {
        public InvalidArchiveException(String message) {
            super(message);
        }
    }

    /**
     * Unpacks {@code archive} (tar, or tar compressed with gzip) into {@code target}, refusing entries that would land
     * outside it: absolute or {@code ..} names, hard links to files outside, and writes through a symbolic link that
     * leads out. Symbolic links are made as they are (their targets are not followed here); devices and fifos are
     * left out, as no build context needs them; the execute bits of files are kept.
     */
    public static void extract(Path archive, Path target) throws IOException {
        extract(archive, target, name -> true);
    }

    /**
     * As {@link #extract(Path, Path)}, writing only the entries whose {@link #relativeName} {@code keep} accepts (and
     * the directories above them); a hard link to an entry left out is left out too.
     */
    public static void extract(Path archive, Path target, Predicate<String> keep) throws IOException {
        Files.createDirectories(target);
        Path root = target.toRealPath();
        try (InputStream in = open(archive); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            int entries = 0;
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries++;
                if (keep.test(relativeName(e.getName()))
                        && (!e.isLink() || keep.test(relativeName(e.getLinkName())))) {
                    unpack(root, tar, e);
                }
            }
            if (entries == 0) {
                throw new InvalidArchiveException("the archive is empty or not a tar");
            }
        } catch (ZipException e) {
            throw new InvalidArchiveException("not a gzip tar: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidArchiveException("not a tar: " + e.getMessage());
        }
    }

    private static void unpack(Path root, TarArchiveInputStream tar, TarArchiveEntry e) throws IOException {
        String name = e.getName();
        Path dest = root.resolve(name).normalize();
        if (!dest.startsWith(root) || Path.of(name).isAbsolute()) {
            throw new InvalidArchiveException("entry " + name + " points outside the context");
        }
        if (dest.equals(root)) {
            return;
        }
        Path parent = dest.getParent();
        Files.createDirectories(parent);
        if (!parent.toRealPath().startsWith(root)) {
            throw new InvalidArchiveException("entry " + root.relativize(dest)
                    + " would be written through a symbolic link outside the context");
        }
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
            keepExecuteBits(dest, e.getMode());
        }
    }

    private static void keepExecuteBits(Path file, int mode) throws IOException {
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

    /** Copies {@code in} to {@code target} and answers the copy's digest ({@code sha256:<hex>}). */
    public static String download(InputStream in, Path target) throws IOException {
        try (DigestOutputStream out = new DigestOutputStream(Files.newOutputStream(target), sha256())) {
            in.transferTo(out);
            out.flush();
            return "sha256:" + HexFormat.of().formatHex(out.getMessageDigest().digest());
        }
    }

    /** The archive's tar stream: gunzipped when the file starts with gzip's magic bytes, as it is otherwise. */
    public static InputStream open(Path archive) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        raw.mark(2);
        int b1 = raw.read();
        int b2 = raw.read();
        raw.reset();
        return b1 == 0x1f && b2 == 0x8b ? new GZIPInputStream(raw) : raw;
    }

    /** {@code ./a/b/}, {@code a/b}: the path relative to the context root, without a leading {@code ./} or trailing slash. */
    public static String relativeName(String name) {
        String n = name;
        while (n.startsWith("./")) {
            n = n.substring(2);
        }
        while (n.endsWith("/")) {
            n = n.substring(0, n.length() - 1);
        }
        return n;
    }

    /** Deletes a directory tree (links are not followed), best effort. */
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
            // scratch files: the OS cleans up what is left
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
