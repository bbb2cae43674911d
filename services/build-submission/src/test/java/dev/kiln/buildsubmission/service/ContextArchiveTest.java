package dev.kiln.buildsubmission.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.buildsubmission.TestTars;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContextArchiveTest {
    private static final ContextArchive.Limits SMALL = new ContextArchive.Limits(1024 * 1024, 10, 64, 3, 40);

    @Test
    void plainAndGzippedArchivesAreRead() throws Exception {
        byte[] tar = TestTars.builder().file("Dockerfile", "FROM x\n").file("./src/app.sh", "echo hi").build();
        byte[] tgz = TestTars.gzip(tar);
        assertTrue(ContextArchive.isGzip(tgz));
        for (byte[] a : new byte[][] { tar, tgz }) {
            ContextArchive.validate(a);
            assertArrayEquals("FROM x\n".getBytes(StandardCharsets.UTF_8), ContextArchive.readFile(a, "./Dockerfile").orElseThrow());
            assertArrayEquals("echo hi".getBytes(StandardCharsets.UTF_8), ContextArchive.readFile(a, "src/app.sh").orElseThrow());
            assertTrue(ContextArchive.readFile(a, "missing").isEmpty());
        }
    }

    @Test
    void escapingEntriesAreRefused() {
        refused("'..'", TestTars.builder().file("../evil", "x").build());
        refused("'..'", TestTars.builder().file("a/../../evil", "x").build());
        refused("absolute path", TestTars.builder().file("/etc/passwd", "x").build());
        // an absolute target is the context's own root, as the builder resolves it: inside, unless it climbs
        assertDoesNotThrow(() -> ContextArchive.validate(TestTars.builder().file("Dockerfile", "FROM x\n")
                .symlink("python", "/usr/bin/python3").symlink("etc-link", "/etc").build()));
        refused("outside the build context", TestTars.builder().symlink("link", "/../etc/passwd").build());
        refused("outside the build context", TestTars.builder().symlink("d", "/").symlink("x", "d/..").build());
        refused("outside the build context", TestTars.builder().symlink("dir/link", "../../outside").build());
        assertDoesNotThrow(() -> ContextArchive.validate(
                TestTars.builder().file("dir/a", "x").symlink("dir/link", "../dir/a").symlink("b", "dir/a").build()));
    }

    @Test
    void devicesAndPipesAreRefused() {
        refused("device node", TestTars.builder().file("Dockerfile", "FROM x\n")
                .special("dev/sda", org.apache.commons.compress.archivers.tar.TarConstants.LF_BLK).build());
        refused("device node", TestTars.builder().file("Dockerfile", "FROM x\n")
                .special("dev/tty", org.apache.commons.compress.archivers.tar.TarConstants.LF_CHR).build());
        refused("named pipe", TestTars.builder().file("Dockerfile", "FROM x\n")
                .special("pipe", org.apache.commons.compress.archivers.tar.TarConstants.LF_FIFO).build());
    }

    /** Lexically a/b/.. and s/.. stay inside; resolved like a filesystem, t is the context's parent. */
    @Test
    void symlinkChainsAreResolvedNotPatternMatched() {
        byte[] chain = TestTars.builder().file("Dockerfile", "FROM x\n").dir("a").symlink("a/b", "..")
                .symlink("s", "a/b").symlink("t", "s/..").build();
        refused("symbolic link \"t\" -> \"s/..\" resolves to a path outside the build context", chain);
        // the same chain is refused whatever the order of its entries (a later link changes earlier ones)
        refused("outside the build context", TestTars.builder().symlink("t", "s/..").symlink("s", "a/b")
                .symlink("a/b", "..").build());
        // each of the first two alone stays inside
        assertDoesNotThrow(() -> ContextArchive.validate(TestTars.builder().dir("a").symlink("a/b", "..")
                .symlink("s", "a/b").build()));
        // an entry written through a link lands where the link points
        refused("outside the build context", TestTars.builder().symlink("up", "sub/../..").build());
        refused("outside the build context", TestTars.builder().dir("d").symlink("d/x", "../..").build());
    }

    @Test
    void linkLoopsStopAtTheHopLimit() {
        refused("more than 40 symbolic links (kiln.context.max-link-hops)",
                TestTars.builder().symlink("a", "b").symlink("b", "a").build());
        refused("more than 40 symbolic links", TestTars.builder().symlink("self", "self/x").build());
    }

    @Test
    void hardLinksMustNameAnEarlierRegularFileInside() {
        assertDoesNotThrow(() -> ContextArchive.validate(TestTars.builder().file("a/f", "x").hardlink("g", "a/f")
                .hardlink("h", "./g").build()));
        refused("'..'", TestTars.builder().file("f", "x").hardlink("h", "../etc/passwd").build());
        refused("absolute path", TestTars.builder().hardlink("h", "/etc/passwd").build());
        refused("not a regular file earlier in the archive", TestTars.builder().hardlink("h", "later")
                .file("later", "x").build());
        refused("not a regular file earlier in the archive", TestTars.builder().dir("d").hardlink("h", "d").build());
        refused("not a regular file earlier in the archive", TestTars.builder().file("f", "x").symlink("s", "f")
                .hardlink("h", "s").build());
        // through a link that stays inside: the file it names is there
        assertDoesNotThrow(() -> ContextArchive.validate(TestTars.builder().file("real/f", "x").symlink("s", "real")
                .hardlink("h", "s/f").build()));
    }

    @Test
    void sizesAreLimited() throws Exception {
        // a small gzip that unpacks to 8 MiB: refused by its header's size, before it is inflated
        byte[] bomb = TestTars.gzip(TestTars.builder().zeros("zeros", 8L * 1024 * 1024).build());
        assertTrue(bomb.length < 64 * 1024);
        ContextArchive.InvalidContextException e = refused(SMALL, "kiln.context.max-expanded-bytes", bomb);
        assertTrue(e.tooLarge());
        TestTars many = TestTars.builder();
        for (int i = 0; i < 11; i++) {
            many.file("f" + i, "x");
        }
        assertTrue(refused(SMALL, "more than 10 entries", many.build()).tooLarge());
        ContextArchive.InvalidContextException longName = refused(SMALL, "65 bytes long",
                TestTars.builder().file("d/" + "n".repeat(63), "x").build());
        assertFalse(longName.tooLarge());
        refused(SMALL, "kiln.context.max-path-length", TestTars.builder().symlink("s", "t".repeat(65)).build());
        refused(SMALL, "more than 3 symbolic links", TestTars.builder().symlink("a", "x").symlink("b", "x")
                .symlink("c", "x").symlink("d", "x").build());
        // names in answers are excerpts
        String detail = refused(ContextArchive.Limits.DEFAULT, "'..'", TestTars.builder()
                .file("../" + "x".repeat(1000), "x").build()).getMessage();
        assertTrue(detail.length() < 400, detail);
    }

    @Test
    void garbageAndEmptyArchivesAreRefused() {
        refused("not a readable tar archive", "this is not a tar archive at all".repeat(40).getBytes());
        refused("no entries", TestTars.builder().build());
    }

    private static ContextArchive.InvalidContextException refused(String part, byte[] archive) {
        return refused(ContextArchive.Limits.DEFAULT, part, archive);
    }

    private static ContextArchive.InvalidContextException refused(ContextArchive.Limits limits, String part,
            byte[] archive) {
        ContextArchive.InvalidContextException e = assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(new ByteArrayInputStream(archive), limits));
        assertTrue(e.getMessage().contains(part), e.getMessage());
        return e;
    }
}
