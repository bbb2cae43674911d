package dev.kiln.buildsubmission.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerfileLabelsTest {

    @Test
    void keyValuePairsWithQuotes() {
        Map<String, String> l = DockerfileLabels.parse("""
                FROM localhost:5001/base/busybox:latest
                LABEL name=hello version="1.0" description="a small \\"demo\\" image" single='it''s'
                """);
        assertEquals("hello", l.get("name"));
        assertEquals("1.0", l.get("version"));
        assertEquals("a small \"demo\" image", l.get("description"));
        assertEquals("its", l.get("single"));
    }

    @Test
    void legacyForm() {
        Map<String, String> l = DockerfileLabels.parse("""
                FROM scratch
                LABEL name hello
                LABEL description this is a   long value
                label version "2.0"
                """);
        assertEquals("hello", l.get("name"));
        assertEquals("this is a   long value", l.get("description"));
        assertEquals("2.0", l.get("version"));
    }

    @Test
    void continuationsAndCommentsInside() {
        Map<String, String> l = DockerfileLabels.parse("""
                FROM scratch
                # a comment
                LABEL name="hello" \\
                # comment inside the continuation
                      version=1.0 \\

                      release=3 summary="two \\
                words"
                RUN true
                """);
        assertEquals("hello", l.get("name"));
        assertEquals("1.0", l.get("version"));
        assertEquals("3", l.get("release"));
        assertEquals("two words", l.get("summary"));
    }

    @Test
    void escapedSpaceInUnquotedValueAndQuotedKey() {
        Map<String, String> l = DockerfileLabels.parse("FROM x\nLABEL \"name\"=a\\ b \"com.example.key\"=v\n");
        assertEquals("a b", l.get("name"));
        assertEquals("v", l.get("com.example.key"));
    }

    @Test
    void laterLabelsOverrideAndOnlyTheFinalStageCounts() {
        Map<String, String> l = DockerfileLabels.parse("""
                FROM builder AS build
                LABEL name=builder version=9 release=9
                FROM scratch
                LABEL name=final version=1
                LABEL version=2
                """);
        assertEquals("final", l.get("name"));
        assertEquals("2", l.get("version"));
        assertTrue(!l.containsKey("release"));
    }

    @Test
    void escapeDirectiveBacktick() {
        Map<String, String> l = DockerfileLabels.parse("# escape=`\nFROM x\nLABEL name=win `\n  version=1.0\n");
        assertEquals("win", l.get("name"));
        assertEquals("1.0", l.get("version"));
    }

    @Test
    void windowsLineEndings() {
        Map<String, String> l = DockerfileLabels.parse("FROM x\r\nLABEL name=a \\\r\n version=1\r\n");
        assertEquals("a", l.get("name"));
        assertEquals("1", l.get("version"));
    }

    @Test
    void noLabels() {
        assertTrue(DockerfileLabels.parse("FROM x\nRUN echo LABEL name=x\n").isEmpty());
    }

    @Test
    void syntaxErrors() {
        assertThrows(DockerfileLabels.SyntaxException.class, () -> DockerfileLabels.parse("FROM x\nLABEL name=\"open\n"));
        assertThrows(DockerfileLabels.SyntaxException.class, () -> DockerfileLabels.parse("FROM x\nLABEL a=b c\n"));
        assertThrows(DockerfileLabels.SyntaxException.class, () -> DockerfileLabels.parse("FROM x\nLABEL =b\n"));
        assertThrows(DockerfileLabels.SyntaxException.class, () -> DockerfileLabels.parse("FROM x\nLABEL\n"));
    }
}
