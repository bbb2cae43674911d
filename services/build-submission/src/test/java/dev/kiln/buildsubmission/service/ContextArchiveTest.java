package dev.kiln.buildsubmission.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.buildsubmission.TestTars;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContextArchiveTest {

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
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().file("../evil", "x").build()));
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().file("a/../../evil", "x").build()));
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().file("/etc/passwd", "x").build()));
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().symlink("link", "/etc/passwd").build()));
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().symlink("dir/link", "../../outside").build()));
        assertDoesNotThrow(() -> ContextArchive.validate(
                TestTars.builder().file("dir/a", "x").symlink("dir/link", "../dir/a").symlink("b", "dir/a").build()));
    }

    @Test
    void garbageAndEmptyArchivesAreRefused() {
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate("this is not a tar archive at all".repeat(40).getBytes()));
        assertThrows(ContextArchive.InvalidContextException.class,
                () -> ContextArchive.validate(TestTars.builder().build()));
    }
}
