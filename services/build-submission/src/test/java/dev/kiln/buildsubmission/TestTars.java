package dev.kiln.buildsubmission;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Builds tar archives for tests with commons-compress. */
public final class TestTars {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes);

    private TestTars() {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    }

    public static TestTars builder() {
        return new TestTars();
    }

    public static byte[] context(String dockerfile) {
        return builder().file("Dockerfile", dockerfile).file("hello.txt", "hello\n").build();
    }

    public TestTars file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        try {
            // TarArchiveEntry normalises names; write raw names so that "../evil" and "/abs" stay as they are
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(data.length);
            e.setMode(0644);
            tar.putArchiveEntry(e);
            tar.write(data);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    public TestTars symlink(String name, String target) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    public TestTars hardlink(String name, String target) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK, true);
            e.setLinkName(target);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /** An entry of another type: a device node ({@code LF_CHR}, {@code LF_BLK}) or a named pipe ({@code LF_FIFO}). */
    public TestTars special(String name, byte type) {
        try {
            tar.putArchiveEntry(new TarArchiveEntry(name, type, true));
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    public TestTars dir(String name) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, true);
            e.setMode(0755);
            tar.putArchiveEntry(e);
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    /** A regular file of {@code size} zero bytes (compresses to almost nothing). */
    public TestTars zeros(String name, long size) {
        try {
            TarArchiveEntry e = new TarArchiveEntry(name, true);
            e.setSize(size);
            e.setMode(0644);
            tar.putArchiveEntry(e);
            byte[] buf = new byte[64 * 1024];
            for (long left = size; left > 0; left -= buf.length) {
                tar.write(buf, 0, (int) Math.min(buf.length, left));
            }
            tar.closeArchiveEntry();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return this;
    }

    public byte[] build() {
        try {
            tar.finish();
            tar.close();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return bytes.toByteArray();
    }

    public static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
