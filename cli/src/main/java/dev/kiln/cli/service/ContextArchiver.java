package dev.kiln.cli.service;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Packs a build context directory into an uncompressed tar, as {@code docker build DIR} would send it: the rules of
 * {@code .dockerignore} are honoured, but the Dockerfile and {@code .dockerignore} themselves are always included
 * (the builder needs them). Entries are written in sorted order, owned by 0:0, with the files' whole mode (setuid,
 * setgid and sticky bits included) and modification times in whole seconds, as the docker CLI writes them; symbolic
 * links are stored as links, never followed; a file with several names is stored once and then as hard links to its
 * first name; sockets and fifos are skipped.
 */
public final class ContextArchiver {

    private ContextArchiver() {
    }

    /** Writes the context of {@code contextDir} to a new temporary file; the caller deletes it. */
    public static Path writeTemp(Path contextDir, String dockerfile) throws IOException {
        Path tar = Files.createTempFile("kiln-context-", ".tar");
        try (OutputStream out = Files.newOutputStream(tar)) {
            write(contextDir, dockerfile, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tar);
            throw e;
        }
        return tar;
    }

    /**
     * Writes the context of {@code contextDir} as a tar to {@code out} (not closed).
     *
     * @param dockerfile the Dockerfile's path relative to {@code contextDir}; always included
     * @return the names of the entries written, in order (directories end with {@code /})
     */
    public static List<String> write(Path contextDir, String dockerfile, OutputStream out) throws IOException {
        Path root = contextDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IOException(contextDir + " is not a directory");
        }
        DockerIgnore ignore = DockerIgnore.load(root);
        Set<String> alwaysIncluded = Set.of(DockerIgnore.clean(dockerfile), DockerIgnore.FILE_NAME);
        List<String> names = new ArrayList<>();
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        tar.setAddPaxHeadersForNonAsciiNames(true);
        walk(root, root, ignore, alwaysIncluded, tar, names, new HashMap<>());
        tar.finish();
        tar.flush();
        return names;
    }

    private static void walk(Path root, Path dir, DockerIgnore ignore, Set<String> alwaysIncluded,
            TarArchiveOutputStream tar, List<String> names, Map<Object, String> firstNames) throws IOException {
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.sorted().toList();
        }
        for (Path child : children) {
            String name = root.relativize(child).toString().replace('\\', '/');
            BasicFileAttributes attrs = Files.readAttributes(child, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            boolean excluded = !alwaysIncluded.contains(name) && ignore.isExcluded(name);
            if (attrs.isDirectory()) {
                if (!excluded) {
                    add(tar, names, child, name + "/", attrs, TarConstants.LF_DIR);
                }
                // An excluded directory may still hold files that a "!" line brings back, or the Dockerfile.
                if (!excluded || ignore.hasExceptions() || containsAlwaysIncluded(name, alwaysIncluded)) {
                    walk(root, child, ignore, alwaysIncluded, tar, names, firstNames);
                }
            } else if (excluded) {
                continue;
            } else if (attrs.isSymbolicLink()) {
                add(tar, names, child, name, attrs, TarConstants.LF_SYMLINK);
            } else if (attrs.isRegularFile()) {
                String first = attrs.fileKey() != null && linkCount(child) > 1
                        ? firstNames.putIfAbsent(attrs.fileKey(), name) : null;
                if (first != null) {
                    TarArchiveEntry link = new TarArchiveEntry(name, TarConstants.LF_LINK);
                    link.setLinkName(first);
                    link.setModTime(seconds(attrs.lastModifiedTime()));
                    link.setIds(0, 0);
                    link.setNames("", "");
                    link.setMode(permissions(child, TarConstants.LF_NORMAL));
                    tar.putArchiveEntry(link);
                    tar.closeArchiveEntry();
                    names.add(name);
                } else {
                    add(tar, names, child, name, attrs, TarConstants.LF_NORMAL);
                }
            }
        }
    }

    private static boolean containsAlwaysIncluded(String dirName, Set<String> alwaysIncluded) {
        return alwaysIncluded.stream().anyMatch(p -> p.startsWith(dirName + "/"));
    }

    private static void add(TarArchiveOutputStream tar, List<String> names, Path file, String name,
            BasicFileAttributes attrs, byte type) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, type);
        entry.setModTime(seconds(attrs.lastModifiedTime()));
        entry.setIds(0, 0);
        entry.setNames("", "");
        // The mode field holds the permission bits only, without the file type bits (0100000, 040000, 0120000), as the
        // docker CLI writes it: the legacy builder hashes the header's mode into COPY's history line and cache key.
        if (type == TarConstants.LF_SYMLINK) {
            entry.setLinkName(Files.readSymbolicLink(file).toString().replace('\\', '/'));
            entry.setMode(0777);
        } else {
            entry.setMode(permissions(file, type));
        }
        if (type == TarConstants.LF_NORMAL) {
            entry.setSize(attrs.size());
        }
        tar.putArchiveEntry(entry);
        if (type == TarConstants.LF_NORMAL) {
            Files.copy(file, tar);
        }
        tar.closeArchiveEntry();
        names.add(name);
    }

    /** The permission bits with setuid, setgid and sticky ({@code unix:mode}), or the POSIX permissions where absent. */
    private static int permissions(Path file, byte type) {
        try {
            return (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException noUnixView) {
            // not a unix file system: the POSIX permissions, without the special bits
        }
        try {
            PosixFileAttributes posix = Files.readAttributes(file, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission p : posix.permissions()) {
                mode |= switch (p) {
                    case OWNER_READ -> 0400;
                    case OWNER_WRITE -> 0200;
                    case OWNER_EXECUTE -> 0100;
                    case GROUP_READ -> 040;
                    case GROUP_WRITE -> 020;
                    case GROUP_EXECUTE -> 010;
                    case OTHERS_READ -> 04;
                    case OTHERS_WRITE -> 02;
                    case OTHERS_EXECUTE -> 01;
                };
            }
            return mode;
        } catch (UnsupportedOperationException | IOException notPosix) {
            return type == TarConstants.LF_DIR || Files.isExecutable(file) ? 0755 : 0644;
        }
    }

    private static int linkCount(Path file) {
        try {
            return (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException noUnixView) {
            return 1;
        }
    }

    /** The docker CLI keeps whole seconds of a file's modification time. */
    private static FileTime seconds(FileTime time) {
        return FileTime.from(time.toInstant().getEpochSecond(), TimeUnit.SECONDS);
    }
}
