package dev.kiln.buildsubmission.service;

import dev.kiln.support.text.Excerpt;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Build context archives: plain or gzipped tar, told apart by their magic bytes, read as a stream (never held in
 * memory whole).
 *
 * <p>Longer than the house's 300 lines: the upload checks (expanded size, entry count, names, links) and the
 * Dockerfile lookup read the stream once, with the counting streams they need at the bottom.
 */
public final class ContextArchive {
    private static final long MAX_DOCKERFILE_BYTES = 1024 * 1024;

    private ContextArchive() {
    }

    /**
     * What an archive may hold: bytes once unpacked (tar headers and padding included), entries, the length of an
     * entry's name or link target in UTF-8 bytes, symbolic links, and symbolic links followed while resolving one
     * path (Linux's limit is 40).
     */
    public record Limits(long maxExpandedBytes, int maxEntries, int maxPathLength, int maxSymlinks, int maxLinkHops) {
        /** Limits large enough for the archives of unit tests. */
        public static final Limits DEFAULT = new Limits(1L << 30, 100_000, 1024, 10_000, 40);
    }

    /** A context archive that must not be used; the message names the offending entry (and the limit, if one). */
    public static class InvalidContextException extends Exception {
        private final boolean tooLarge;

        public InvalidContextException(String message) {
            this(message, false);
        }

        InvalidContextException(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        /** Whether a size limit was passed (413) rather than the archive being unsafe or unreadable (400). */
        public boolean tooLarge() {
            return tooLarge;
        }
    }

    public static boolean isGzip(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /** {@link #validate(InputStream, Limits)} of an archive in memory, with {@link Limits#DEFAULT}. */
    public static void validate(byte[] archive) throws InvalidContextException {
        try {
            validate(new ByteArrayInputStream(archive), Limits.DEFAULT);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the whole archive once and checks every entry: no absolute paths, no {@code ..} components, names within
     * {@link Limits#maxPathLength()}, no more than {@link Limits#maxEntries()} entries and
     * {@link Limits#maxExpandedBytes()} unpacked bytes (a small gzip that expands to gigabytes is refused as soon as
     * a header declares too much). Symbolic and hard links are resolved as a filesystem would when the archive is
     * unpacked: each path component in turn, following the archive's own symbolic links, at most
     * {@link Limits#maxLinkHops()} of them per path. A symbolic link whose target resolves outside the context is
     * refused, as is a hard link that does not name a regular file earlier in the archive. An empty or unreadable
     * archive is refused too. {@link IOException}s of {@code in} itself pass through.
     */
    public static void validate(InputStream in, Limits limits) throws InvalidContextException, IOException {
        Namespace ns = new Namespace(limits);
        long declared = 0;
        int entries = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new CountingInputStream(decompressed(in),
                limits.maxExpandedBytes()))) {
            TarArchiveEntry e;
            while ((e = nextEntry(tar)) != null) {
                entries++;
                if (entries > limits.maxEntries()) {
                    throw new InvalidContextException("the archive has more than " + limits.maxEntries()
                            + " entries, the most a build context may have (kiln.context.max-entries)", true);
                }
                String name = e.getName();
                checkLength(name, "entry " + Excerpt.of(name), limits);
                checkPath(name, "entry " + Excerpt.of(name));
                if (e.isFile() || e.isLink()) {
                    declared += Math.max(0, e.getSize());
                    if (declared > limits.maxExpandedBytes()) {
                        throw expandedTooLarge(limits);
                    }
                }
                ns.add(e);
            }
            ns.checkAllSymlinks();
        } catch (IOException | IllegalArgumentException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof ExpandedTooLarge) {
                    throw expandedTooLarge(limits);
                }
                if (t instanceof SourceFailure f) {
                    throw f.getCause();
                }
            }
            throw new InvalidContextException("the body is not a readable tar archive (plain or gzipped): "
                    + Excerpt.of(String.valueOf(e.getMessage())));
        }
        if (entries == 0) {
            throw new InvalidContextException("the archive has no entries: send a tar archive (plain or gzipped) of the "
                    + "build context directory");
        }
    }

    private static InvalidContextException expandedTooLarge(Limits limits) {
        return new InvalidContextException("the archive unpacks to more than " + limits.maxExpandedBytes()
                + " bytes, the most a build context may hold (kiln.context.max-expanded-bytes)", true);
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        return tar.getNextEntry();
    }

    /** The bytes of the regular file at {@code path} (e.g. {@code Dockerfile} or {@code ./Dockerfile}), if any. */
    public static Optional<byte[]> readFile(byte[] archive, String path) throws InvalidContextException {
        try {
            return readFile(new ByteArrayInputStream(archive), path);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #readFile(byte[], String)} of an archive read from a stream; the last entry of a name wins. */
    public static Optional<byte[]> readFile(InputStream in, String path) throws InvalidContextException, IOException {
        String wanted = normalizeName(path);
        try (TarArchiveInputStream tar = new TarArchiveInputStream(decompressed(in))) {
            TarArchiveEntry e;
            byte[] found = null;
            while ((e = nextEntry(tar)) != null) {
                if (e.isFile() && normalizeName(e.getName()).equals(wanted)) {
                    if (e.getSize() > MAX_DOCKERFILE_BYTES) {
                        throw new InvalidContextException(Excerpt.of(path) + " is larger than 1 MiB");
                    }
                    found = tar.readAllBytes(); // the last entry of a name wins, as when tar extracts
                }
            }
            return Optional.ofNullable(found);
        } catch (IOException | IllegalArgumentException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SourceFailure f) {
                    throw f.getCause();
                }
            }
            throw new InvalidContextException("the stored context is not a readable tar archive: "
                    + Excerpt.of(String.valueOf(e.getMessage())));
        }
    }

    /** Refuses paths that are absolute, empty or contain {@code ..}. */
    public static void checkRelativePath(String path, String what) throws InvalidContextException {
        if (path == null || normalizeName(path).isEmpty()) {
            throw new InvalidContextException(what + " is empty");
        }
        checkPath(path, what);
    }

    private static void checkLength(String text, String what, Limits limits) throws InvalidContextException {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxPathLength()) {
            throw new InvalidContextException(what + " is " + bytes + " bytes long; a path in a build context may have at "
                    + "most " + limits.maxPathLength() + " (kiln.context.max-path-length)");
        }
    }

    private static void checkPath(String name, String what) throws InvalidContextException {
        if (name.indexOf('\0') >= 0) {
            throw new InvalidContextException(what + " contains a NUL character");
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:[/\\\\].*")) {
            throw new InvalidContextException(what + " is an absolute path; a build context holds relative paths only");
        }
        for (String part : name.split("[/\\\\]")) {
            if (part.equals("..")) {
                throw new InvalidContextException(what + " contains '..'; a build context must not reach outside itself");
            }
        }
    }

    /** The tar stream of {@code in}: gunzipped when it starts with gzip's magic bytes. */
    private static InputStream decompressed(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(new SourceGuard(in), 64 * 1024);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new GZIPInputStream(buffered, 64 * 1024);
        }
        return buffered;
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

    /**
     * The paths the archive creates when unpacked, as far as link resolution needs them: its symbolic links (path →
     * target) and its regular files (as 64-bit hashes of their paths, so that memory stays small whatever the entry
     * count). Paths are keyed by where they land: an entry {@code s/f} under a symbolic link {@code s -> d} is
     * {@code d/f}. Later entries replace earlier ones of the same path, as when tar unpacks.
     */
    private static final class Namespace {
        private final Limits limits;
        private final Map<String, String> symlinks = new HashMap<>();
        private final Set<Long> files = new HashSet<>();

        Namespace(Limits limits) {
            this.limits = limits;
        }

        void add(TarArchiveEntry e) throws InvalidContextException {
            String name = normalizeName(e.getName());
            if (name.isEmpty()) {
                return; // "./": the context root itself
            }
            int slash = name.lastIndexOf('/');
            String what = "entry " + Excerpt.of(e.getName());
            String parent = resolve(slash < 0 ? "" : name.substring(0, slash), "", what);
            String key = join(parent, name.substring(slash + 1));
            symlinks.remove(key);
            files.remove(hash(key));
            if (e.isSymbolicLink()) {
                String target = e.getLinkName();
                String link = "symbolic link " + Excerpt.of(e.getName());
                checkLength(target, link + "'s target " + Excerpt.of(target), limits);
                if (target.isEmpty() || target.indexOf('\0') >= 0) {
                    throw new InvalidContextException(link + " has an empty or unreadable target");
                }
                if (symlinks.size() >= limits.maxSymlinks()) {
                    throw new InvalidContextException("the archive has more than " + limits.maxSymlinks()
                            + " symbolic links, the most a build context may have (kiln.context.max-symlinks)", true);
                }
                symlinks.put(key, target);
                checkSymlink(key, target);
            } else if (e.isLink()) {
                String target = e.getLinkName();
                String link = "hard link " + Excerpt.of(e.getName());
                checkLength(target, link + "'s target " + Excerpt.of(target), limits);
                checkPath(target, link + "'s target " + Excerpt.of(target));
                String t = normalizeName(target);
                int ts = t.lastIndexOf('/');
                String targetKey = t.isEmpty() ? "" : join(resolve(ts < 0 ? "" : t.substring(0, ts), "", link),
                        t.substring(ts + 1));
                if (targetKey.isEmpty() || !files.contains(hash(targetKey))) {
                    throw new InvalidContextException(link + " names " + Excerpt.of(target) + ", which is not a "
                            + "regular file earlier in the archive; a hard link must name a file inside the build "
                            + "context");
                }
                files.add(hash(key));
            } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                // before isFile(), which commons-compress answers true for any type but directories
                throw new InvalidContextException(what + " is a " + (e.isFIFO() ? "named pipe" : "device node")
                        + "; a build context holds files, directories and links only: leave it out of the context "
                        + "(.dockerignore) or create it in the image with RUN");
            } else if (e.isFile()) {
                files.add(hash(key));
            }
        }

        /** Every symbolic link once more, now that the whole archive is known (a later entry may change a path). */
        void checkAllSymlinks() throws InvalidContextException {
            for (Map.Entry<String, String> s : new ArrayList<>(symlinks.entrySet())) {
                checkSymlink(s.getKey(), s.getValue());
            }
        }

        private void checkSymlink(String key, String target) throws InvalidContextException {
            int slash = key.lastIndexOf('/');
            resolve(target, slash < 0 ? "" : key.substring(0, slash), "symbolic link " + Excerpt.of(key) + " -> "
                    + Excerpt.of(target));
        }

        /**
         * Resolves {@code path} from the directory {@code base} (a resolved path, "" for the root) one component at
         * a time, following every symbolic link met; the resolved path, or an exception when it climbs above the
         * root or follows too many links. An absolute path or link target starts again from the context's root, as
         * the builder resolves a context's links (in its scope: {@code python -> /usr/bin/python3} is the image's
         * {@code /usr/bin/python3} once copied, never the build machine's).
         */
        String resolve(String path, String base, String what) throws InvalidContextException {
            List<String> done = new ArrayList<>(base.isEmpty() || path.startsWith("/") ? List.of()
                    : List.of(base.split("/")));
            ArrayList<String> todo = new ArrayList<>(); // reversed: the next component is last
            pushFront(todo, path);
            int hops = 0;
            StringBuilder current = new StringBuilder(String.join("/", done));
            while (!todo.isEmpty()) {
                String c = todo.remove(todo.size() - 1);
                if (c.isEmpty() || c.equals(".")) {
                    continue;
                }
                if (c.equals("..")) {
                    if (done.isEmpty()) {
                        throw new InvalidContextException(what + " resolves to a path outside the build context");
                    }
                    done.remove(done.size() - 1);
                    current.setLength(0);
                    current.append(String.join("/", done));
                    continue;
                }
                int before = current.length();
                if (before > 0) {
                    current.append('/');
                }
                current.append(c);
                String target = symlinks.isEmpty() ? null : symlinks.get(current.toString());
                if (target != null) {
                    if (++hops > limits.maxLinkHops()) {
                        throw new InvalidContextException(what + " passes through more than " + limits.maxLinkHops()
                                + " symbolic links (kiln.context.max-link-hops): a link loop?");
                    }
                    if (target.startsWith("/")) {
                        done.clear();
                        before = 0;
                    }
                    current.setLength(before);
                    pushFront(todo, target);
                } else {
                    done.add(c);
                }
            }
            return String.join("/", done);
        }

        private static void pushFront(ArrayList<String> todo, String path) {
            String[] parts = path.split("/");
            for (int i = parts.length - 1; i >= 0; i--) {
                todo.add(parts[i]);
            }
        }

        private static String join(String dir, String name) {
            return dir.isEmpty() ? name : dir + "/" + name;
        }

        private static long hash(String path) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
                return ByteBuffer.wrap(d).getLong();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Thrown by {@link CountingInputStream} when the unpacked stream passes its limit. */
    private static final class ExpandedTooLarge extends IOException {
        ExpandedTooLarge() {
            super("too large once unpacked");
        }
    }

    /** An {@link IOException} of the source stream itself (not of its contents), passed through as it is. */
    private static final class SourceFailure extends IOException {
        SourceFailure(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    /** Marks the source's own read failures, so that they are not mistaken for an unreadable archive. */
    private static final class SourceGuard extends FilterInputStream {
        SourceGuard(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw new SourceFailure(e);
            }
        }
    }

    /** Counts the bytes read and fails once more than {@code max} were. */
    private static final class CountingInputStream extends FilterInputStream {
        private final long max;
        private long count;

        CountingInputStream(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            if (skipped > 0) {
                count(skipped);
            }
            return skipped;
        }

        private void count(long n) throws ExpandedTooLarge {
            count += n;
            if (count > max) {
                throw new ExpandedTooLarge();
            }
        }
    }
}
