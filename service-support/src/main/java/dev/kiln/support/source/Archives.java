package dev.kiln.support.source;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Build contexts as files, the same way in container-build and qa: downloaded with their digest computed on the way,
 * opened as a tar whether gzip-compressed or not, entry names relative to the context root, and the scratch
 * directories deleted afterwards.
 */
public final class Archives {
    private Archives() {
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
