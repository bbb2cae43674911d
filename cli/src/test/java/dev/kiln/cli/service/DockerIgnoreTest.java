package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DockerIgnoreTest {

    private static DockerIgnore rules(String... lines) {
        return DockerIgnore.parse(List.of(lines));
    }

    @Test
    void noRulesExcludeNothing() {
        assertFalse(DockerIgnore.none().isExcluded("anything/at/all"));
        assertFalse(rules("# just a comment", "", "   ").isExcluded("file"));
        assertTrue(rules("# comment", "").isEmpty());
    }

    @Test
    void plainNamesMatchFromTheRootAndCoverDirectories() {
        DockerIgnore ignore = rules("target", "/secret.txt", "./build/");
        assertTrue(ignore.isExcluded("target"));
        assertTrue(ignore.isExcluded("target/classes/A.class"));
        assertTrue(ignore.isExcluded("secret.txt"));
        assertTrue(ignore.isExcluded("build/out.bin"));
        assertFalse(ignore.isExcluded("src/target"), "a plain name is anchored at the context root");
        assertFalse(ignore.isExcluded("targets"));
    }

    @Test
    void singleStarAndQuestionMarkStayInOneDirectory() {
        DockerIgnore ignore = rules("*.log", "docs/?.md");
        assertTrue(ignore.isExcluded("build.log"));
        assertFalse(ignore.isExcluded("logs/build.log"), "* does not cross /");
        assertTrue(ignore.isExcluded("docs/a.md"));
        assertFalse(ignore.isExcluded("docs/ab.md"));
    }

    @Test
    void doubleStarMatchesAnyNumberOfDirectories() {
        DockerIgnore ignore = rules("**/*.tmp", "cache/**");
        assertTrue(ignore.isExcluded("x.tmp"));
        assertTrue(ignore.isExcluded("a/b/c/x.tmp"));
        assertTrue(ignore.isExcluded("cache/a/b"));
        assertFalse(ignore.isExcluded("x.tmpl"));
    }

    @Test
    void characterClasses() {
        DockerIgnore ignore = rules("file[0-9].txt", "note[!a].txt");
        assertTrue(ignore.isExcluded("file7.txt"));
        assertFalse(ignore.isExcluded("filex.txt"));
        assertTrue(ignore.isExcluded("noteb.txt"));
        assertFalse(ignore.isExcluded("notea.txt"));
    }

    @Test
    void exceptionsReincludeAndTheLastMatchingLineWins() {
        DockerIgnore ignore = rules("*.md", "!README.md", "docs", "!docs/keep.txt");
        assertTrue(ignore.isExcluded("CHANGES.md"));
        assertFalse(ignore.isExcluded("README.md"));
        assertTrue(ignore.isExcluded("docs/other.txt"));
        assertFalse(ignore.isExcluded("docs/keep.txt"));
        assertTrue(ignore.hasExceptions());

        DockerIgnore reversed = rules("!README.md", "*.md");
        assertTrue(reversed.isExcluded("README.md"), "a later exclusion overrides an earlier exception");
    }

    @Test
    void specialCharactersAreLiteralAndBackslashEscapes() {
        DockerIgnore ignore = rules("a+b.(x)", "star\\*");
        assertTrue(ignore.isExcluded("a+b.(x)"));
        assertFalse(ignore.isExcluded("aab.(x)"));
        assertTrue(ignore.isExcluded("star*"));
        assertFalse(ignore.isExcluded("starlight"));
    }

    @Test
    void cleansPaths() {
        assertEquals("a/b", DockerIgnore.clean("/a//./b/"));
        assertEquals("b", DockerIgnore.clean("a/../b"));
        assertEquals("", DockerIgnore.clean("./"));
    }
}
