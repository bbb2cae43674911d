package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceSpecTest {

    @TempDir
    Path dir;

    @Test
    void anExistingDirectoryIsAContext() {
        assertEquals(new SourceSpec.ContextDir(dir), SourceSpec.parse(dir.toString()));
    }

    @Test
    void gitUrlsWithAndWithoutRef() {
        assertEquals(new SourceSpec.Git("https://git.example/hello.git", "v1.0"),
                SourceSpec.parse("https://git.example/hello.git#v1.0"));
        assertEquals(new SourceSpec.Git("https://git.example/hello", "main"),
                SourceSpec.parse("https://git.example/hello"));
        assertEquals(new SourceSpec.Git("git@git.example:team/hello.git", "main"),
                SourceSpec.parse("git@git.example:team/hello.git#"));
        assertEquals(new SourceSpec.Git("file:///srv/git/hello", "feature/x"),
                SourceSpec.parse("file:///srv/git/hello#feature/x"));
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> SourceSpec.parse(dir.resolve("missing").toString()));
        assertThrows(IllegalArgumentException.class, () -> SourceSpec.parse(""));
        assertThrows(IllegalArgumentException.class, () -> SourceSpec.parse("#main"));
    }
}
