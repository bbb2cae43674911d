package dev.kiln.buildsubmission.service;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Build context archives: plain or gzipped tar, told apart by their magic bytes. */
public final class ContextArchive {
    private static final long MAX_DOCKERFILE_BYTES = 1024 * 1024;

    private ContextArchive() {
    }

    /** A context archive that must not be used; the message names the offending entry. */
    public static class InvalidContextException extends Exception {
        public InvalidContextException(String message) {
            super(message);
        }
    }

    public static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /**
     * Checks every entry: no absolute paths, no {@code ..} components, no symbolic or hard links that point outside
     * the context. An empty or unreadable archive is refused too.
     */
    public static void validate(byte[] archive) throws InvalidContextException {
        int entries = 0;
        try (TarArchiveInputStream tar = open(archive)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries++;
                String name = e.getName();
                checkPath(name, "entry " + name);
                if (e.isSymbolicLink()) {
                    String target = e.getLinkName();
                    if (target.startsWith("/")) {
                        throw new InvalidContextException("symbolic link " + name + " points to the absolute path "
                                + target + ", outside the build context");
                    }
                    String parent = parentOf(normalizeName(name));
                    if (escapes(parent.isEmpty() ? target : parent + "/" + target)) {
                        throw new InvalidContextException("symbolic link " + name + " points to " + target
                                + ", outside the build context");
                    }
                } else if (e.isLink()) {
                    String target = e.getLinkName();
                    if (target.startsWith("/") || escapes(target)) {
                        throw new InvalidContextException("hard link " + name + " points to " + target
                                + ", outside the build context");
                    }
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidContextException("the body is not a readable tar archive (plain or gzipped): "
                    + e.getMessage());
        }
        if (entries == 0) {
            throw new InvalidContextException("the archive has no entries: send a tar archive (plain or gzipped) of the "
                    + "build context directory");
        }
    }

    /** The bytes of the regular file at {@code path} (e.g. {@code Dockerfile} or {@code ./Dockerfile}), if any. */
    public static Optional<byte[]> readFile(byte[] archive, String path) throws InvalidContextException {
        String wanted = normalizeName(path);
        try (TarArchiveInputStream tar = open(archive)) {
            TarArchiveEntry e;
            byte[] found = null;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile() && normalizeName(e.getName()).equals(wanted)) {
                    if (e.getSize() > MAX_DOCKERFILE_BYTES) {
                        throw new InvalidContextException(path + " is larger than 1 MiB");
                    }
                    found = tar.readAllBytes(); // the last entry of a name wins, as when tar extracts
                }
            }
            return Optional.ofNullable(found);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidContextException("the stored context is not a readable tar archive: " + e.getMessage());
        }
    }

    /** Refuses paths that are absolute, empty or contain {@code ..}. */
    public static void checkRelativePath(String path, String what) throws InvalidContextException {
        if (path == null || normalizeName(path).isEmpty()) {
            throw new InvalidContextException(what + " is empty");
        }
        checkPath(path, what);
    }

    private static void checkPath(String name, String what) throws InvalidContextException {
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:[/\\\\].*")) {
            throw new InvalidContextException(what + " is an absolute path; a build context holds relative paths only");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw new InvalidContextException(what + " contains '..'; a build context must not reach outside itself");
            }
        }
    }

    private static TarArchiveInputStream open(byte[] archive) throws IOException {
        InputStream in = new ByteArrayInputStream(archive);
        if (isGzip(archive)) {
            in = new GZIPInputStream(in);
        }
        return new TarArchiveInputStream(in);
    }

    /** {@code ./a//b/} → {@code a/b}. */
    static String normalizeName(String name) {
        StringBuilder out = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(part);
        }
        return out.toString();
    }

    private static String parentOf(String normalized) {
        int slash = normalized.lastIndexOf('/');
        return slash < 0 ? "" : normalized.substring(0, slash);
    }

    /** Whether a relative path climbs above the context root. */
    static boolean escapes(String relative) {
        Deque<String> stack = new ArrayDeque<>();
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (stack.isEmpty()) {
                    return true;
                }
                stack.pop();
            } else {
                stack.push(part);
            }
        }
        return false;
    }
}
