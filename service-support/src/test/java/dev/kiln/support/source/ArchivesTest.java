package dev.kiln.support.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one safe extractor: what it writes, and every way out of the target it refuses. */
class ArchivesTest {
    @TempDir
    Path tmp;

    @Test
    void unpacksFilesLinksAndModesFromTarAndGzipTar() throws IOException {
        for (boolean gzip : new boolean[] { false, true }) {
            Path archive = tar(gzip, t -> {
                file(t, "./Dockerfile", "FROM scratch\n", 0644);
                file(t, "bin/run.sh", "#!/bin/sh\n", 0755);
                link(t, "latest", "bin/run.sh", TarArchiveEntry.LF_SYMLINK);
                link(t, "copy.sh", "bin/run.sh", TarArchiveEntry.LF_LINK);
            });
            Path out = tmp.resolve("out-" + gzip);
            Archives.extract(archive, out);
            assertEquals("FROM scratch\n", Files.readString(out.resolve("Dockerfile")));
            assertTrue(Files.isExecutable(out.resolve("bin/run.sh")));
            assertTrue(Files.isSymbolicLink(out.resolve("latest")));
            assertEquals("#!/bin/sh\n", Files.readString(out.resolve("copy.sh")));
        }
    }

    @Test
    void keepsOnlyWhatIsAskedFor() throws IOException {
        Path archive = tar(false, t -> {
            file(t, "src/app.c", "int main;", 0644);
            file(t, "tests/a.yaml", "schemaVersion: 2.0.0", 0644);
            link(t, "tests/b.yaml", "src/app.c", TarArchiveEntry.LF_LINK);
        });
        Path out = tmp.resolve("out");
        Archives.extract(archive, out, name -> name.startsWith("tests/"));
        assertTrue(Files.exists(out.resolve("tests/a.yaml")));
        assertFalse(Files.exists(out.resolve("src"), LinkOption.NOFOLLOW_LINKS));
        assertFalse(Files.exists(out.resolve("tests/b.yaml"), LinkOption.NOFOLLOW_LINKS), "its source was left out");
    }

    @Test
    void refusesEveryWayOut() throws IOException {
        refused(t -> file(t, "../escape", "x", 0644), "points outside");
        refused(t -> file(t, "/etc/escape", "x", 0644), "points outside");
        refused(t -> {
            link(t, "out", tmp.toString(), TarArchiveEntry.LF_SYMLINK);
            file(t, "out/escape", "x", 0644);
        }, "through a symbolic link");
        refused(t -> link(t, "passwd", "../../../etc/passwd", TarArchiveEntry.LF_LINK), "hard link");
        Path notTar = tmp.resolve("not.tar");
        Files.writeString(notTar, "hello, this is not a tar");
        assertThrows(Archives.InvalidArchiveException.class, () -> Archives.extract(notTar, tmp.resolve("x")));
        assertFalse(Files.exists(tmp.resolve("escape")));
    }

    private void refused(Consumer<TarArchiveOutputStream> entries, String why) throws IOException {
        Path archive = tar(false, entries);
        Path out = Files.createTempDirectory(tmp, "refused-");
        Archives.InvalidArchiveException e = assertThrows(Archives.InvalidArchiveException.class,
                () -> Archives.extract(archive, out));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    private Path tar(boolean gzip, Consumer<TarArchiveOutputStream> entries) throws IOException {
        Path archive = Files.createTempFile(tmp, "context-", gzip ? ".tar.gz" : ".tar");
        try (OutputStream file = Files.newOutputStream(archive);
                OutputStream out = gzip ? new GZIPOutputStream(file) : file;
                TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            entries.accept(t);
            t.finish();
        }
        return archive;
    }

    private static void file(TarArchiveOutputStream t, String name, String text, int mode) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(bytes.length);
        e.setMode(mode);
        try {
            t.putArchiveEntry(e);
            t.write(bytes);
            t.closeArchiveEntry();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }

    private static void link(TarArchiveOutputStream t, String name, String target, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setLinkName(target);
        try {
            t.putArchiveEntry(e);
            t.closeArchiveEntry();
        } catch (IOException x) {
            throw new UncheckedIOException(x);
        }
    }
}
