package dev.kiln.containerbuild.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

    @Test
    void singleFrom() {
        DockerfileParser.Result r = DockerfileParser.parse("FROM kiln/busybox:latest\nRUN echo hi\n");
        assertEquals("kiln/busybox:latest", r.parentImage());
        assertEquals(List.of(new DockerfileParser.From("kiln/busybox:latest", null)), r.froms());
    }

    @Test
    void multiStageParentIsTheLastFrom() {
        String df = """
                FROM localhost:5001/golang:1.22 AS build
                RUN make
                FROM localhost:5001/base/busybox:latest
                COPY --from=build /out /app
                """;
        DockerfileParser.Result r = DockerfileParser.parse(df);
        assertEquals("localhost:5001/base/busybox:latest", r.parentImage());
        assertEquals(2, r.froms().size());
        assertEquals("build", r.froms().get(0).stageName());
    }

    @Test
    void aStageNameIsNotAParent() {
        String df = """
                FROM registry.example.com/base:1 AS base
                RUN echo one
                from base as final
                RUN echo two
                FROM final
                """;
        DockerfileParser.Result r = DockerfileParser.parse(df);
        assertEquals("registry.example.com/base:1", r.parentImage());
        assertEquals("final", r.froms().get(1).stageName());
    }

    @Test
    void continuationLinesCommentsAndFlags() {
        String df = """
                # syntax=docker/dockerfile:1
                # FROM commented/out:image
                ARG VERSION=1
                FROM --platform=linux/amd64 \\
                  # a comment inside the continuation
                  localhost:5000/base/busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123 \\
                  AS runtime
                RUN echo "FROM not/an:instruction" \\
                  && true
                """;
        DockerfileParser.Result r = DockerfileParser.parse(df);
        assertEquals(1, r.froms().size());
        assertEquals("localhost:5000/base/busybox@sha256:0123456789012345678901234567890123456789012345678901234567890123",
                r.parentImage());
        assertEquals("runtime", r.froms().get(0).stageName());
    }

    @Test
    void scratchAndNoFrom() {
        assertTrue(DockerfileParser.parse("FROM scratch\nCOPY x /\n").isScratchParent());
        assertNull(DockerfileParser.parse("# only a comment\n").parentImage());
        assertThrows(DockerfileParser.InvalidDockerfileException.class, () -> DockerfileParser.parse("RUN echo\n"));
        assertFalse(DockerfileParser.parse("FROM kiln/busybox\n").isScratchParent());
    }

    @Test
    void argsBeforeFromAreSubstitutedWithTheirDefaults() {
        String df = """
                ARG REGISTRY=localhost:5001
                ARG NAME="base/busybox" TAG=1.0
                ARG EMPTY
                ARG DERIVED=${REGISTRY}/derived
                FROM $REGISTRY/${NAME}:${TAG} AS one
                FROM ${EMPTY:-localhost:5000/fallback}:${TAG:+set}
                FROM $DERIVED\\$literal
                """;
        DockerfileParser.Result r = DockerfileParser.parse(df);
        assertEquals("localhost:5001/base/busybox:1.0", r.froms().get(0).image());
        assertEquals("localhost:5000/fallback:set", r.froms().get(1).image());
        assertEquals("localhost:5001/derived$literal", r.froms().get(2).image());
        assertEquals(5, r.globalArgs().size());
        assertThrows(DockerfileParser.InvalidDockerfileException.class, () -> DockerfileParser.parse("ARG X\nFROM $X\n"));
    }

    @Test
    void labelsOfTheFinalStageInBothFormsWithQuotes() {
        String df = """
                FROM a/b AS base
                LABEL inherited=yes
                FROM base
                LABEL name="hello world" version='1.0' \\
                      summary=a\\ b
                LABEL description The rest of the line
                LABEL "quoted key"=v
                """;
        Map<String, String> labels = DockerfileParser.parse(df).labels();
        assertEquals("yes", labels.get("inherited"));
        assertEquals("hello world", labels.get("name"));
        assertEquals("1.0", labels.get("version"));
        assertEquals("a b", labels.get("summary"));
        assertEquals("The rest of the line", labels.get("description"));
        assertEquals("v", labels.get("quoted key"));
        assertThrows(DockerfileParser.InvalidDockerfileException.class, () -> DockerfileParser.parse("FROM a\nLABEL x=\"open\n"));
    }

    @Test
    void registryHost() {
        assertEquals(Optional.of("localhost:5001"), DockerfileParser.registryHost("localhost:5001/base/busybox:latest"));
        assertEquals(Optional.of("localhost"), DockerfileParser.registryHost("localhost/busybox"));
        assertEquals(Optional.of("registry.fedoraproject.org"),
                DockerfileParser.registryHost("registry.fedoraproject.org/fedora:40"));
        assertEquals(Optional.empty(), DockerfileParser.registryHost("kiln/busybox:latest"));
        assertEquals(Optional.empty(), DockerfileParser.registryHost("busybox:latest"));
    }

    @Test
    void repoDigestOfThePulledRepository() {
        String d = "sha256:" + "a".repeat(64);
        assertEquals(d, BuildService.repoDigest("localhost:5001/base/busybox:latest",
                List.of("other/x@sha256:" + "b".repeat(64), "localhost:5001/base/busybox@" + d)));
        assertEquals(d, BuildService.repoDigest("localhost:5001/base/busybox@" + d, List.of()));
        assertNull(BuildService.repoDigest("localhost:5001/base/busybox:latest", null));
    }
}
