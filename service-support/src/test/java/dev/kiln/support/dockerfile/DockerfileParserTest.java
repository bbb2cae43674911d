package dev.kiln.support.dockerfile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.support.dockerfile.DockerfileParser.InvalidDockerfileException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DockerfileParserTest {

    static Map<String, String> labels(String dockerfile) {
        return DockerfileParser.parse(dockerfile).labels();
    }

    /** The message of the refusal, which must name the line. */
    static String refused(String dockerfile, int line) {
        String message = assertThrows(InvalidDockerfileException.class, () -> DockerfileParser.parse(dockerfile))
                .getMessage();
        assertTrue(message.contains("line " + line), message);
        return message;
    }

    @Nested
    class Stages {
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
            assertTrue(r.stages().get(2).fromStage());
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
            assertEquals(List.of("--platform=linux/amd64"), r.stages().get(0).flags());
            DockerfileParser.Instruction from = r.stages().get(0).from();
            assertEquals(4, from.firstLine());
            assertEquals(7, from.lastLine());
        }

        @Test
        void continuedLinesAreJoinedAsDockerJoinsThem() {
            String df = "FROM x\nRUN echo a\\\nb \\\n\n    c \\  \nd\nRUN next\n";
            List<DockerfileParser.Instruction> in = DockerfileParser.parse(df).instructions();
            assertEquals(new DockerfileParser.Instruction("RUN", "echo ab     c d", 2, 6), in.get(1));
            assertEquals(new DockerfileParser.Instruction("RUN", "next", 7, 7), in.get(2));
        }

        @Test
        void scratchAndNoFrom() {
            assertTrue(DockerfileParser.parse("FROM scratch\nCOPY x /\n").isScratchParent());
            assertNull(DockerfileParser.parse("# only a comment\n").parentImage());
            assertTrue(DockerfileParser.parse("\n\n").labels().isEmpty());
            assertTrue(refused("RUN echo\n", 1).contains("before the first FROM"));
            assertTrue(refused("LABEL name=x\nFROM a\n", 1).contains("before the first FROM"));
            assertFalse(DockerfileParser.parse("FROM kiln/busybox\n").isScratchParent());
            refused("FROM a b c d\n", 1);
            refused("FROM --platform=linux/amd64\n", 1);
        }

        @Test
        void argsBeforeFromAreSubstitutedWithTheirDefaults() {
            String df = """
                    ARG REGISTRY=localhost:5001
                    ARG NAME="base/busybox" TAG=1.0
                    ARG EMPTY
                    ARG DERIVED=${REGISTRY}/derived
                    ARG LITERAL='$REGISTRY' ESCAPED=\\$TAG
                    FROM $REGISTRY/${NAME}:${TAG} AS one
                    FROM ${EMPTY:-localhost:5000/fallback}:${TAG:+set}
                    FROM $DERIVED\\$literal
                    """;
            DockerfileParser.Result r = DockerfileParser.parse(df);
            assertEquals("localhost:5001/base/busybox:1.0", r.froms().get(0).image());
            assertEquals("localhost:5000/fallback:set", r.froms().get(1).image());
            assertEquals("localhost:5001/derived$literal", r.froms().get(2).image());
            assertEquals(7, r.globalArgs().size());
            assertEquals("$REGISTRY", r.globalArgs().get("LITERAL"));
            assertEquals("$TAG", r.globalArgs().get("ESCAPED"));
            assertTrue(refused("ARG X\nFROM $X\n", 2).contains("default"));
            refused("ARG X=1\nFROM ${X:?missing}\n", 2);
            refused("ARG 1X=1\nFROM a\n", 1);
        }

        @Test
        void rewriteFromsKeepsTheLineNumbers() {
            String df = "ARG T=1\nFROM --platform=linux/amd64 a/b:$T \\\n  AS build\nRUN make\nFROM build\nFROM c/d\n";
            DockerfileParser.Result r = DockerfileParser.parse(df);
            String rewritten = DockerfileParser.rewriteFroms(df, r, Map.of(0, "a/b@sha256:1", 2, "c/d@sha256:2"));
            assertEquals("ARG T=1\nFROM --platform=linux/amd64 a/b@sha256:1 AS build\n\nRUN make\nFROM build\n"
                    + "FROM c/d@sha256:2\n", rewritten);
        }
    }

    @Nested
    class Labels {
        @Test
        void keyValuePairsWithQuotes() {
            Map<String, String> l = labels("""
                    FROM localhost:5001/base/busybox:latest
                    LABEL name=hello version="1.0" description="a small \\"demo\\" image" single='it''s'
                    LABEL "quoted key"=v path="C:\\dir" dollar="\\$HOME" backslash="a\\\\b"
                    """);
            assertEquals("hello", l.get("name"));
            assertEquals("1.0", l.get("version"));
            assertEquals("a small \"demo\" image", l.get("description"));
            assertEquals("its", l.get("single"));
            assertEquals("v", l.get("quoted key"));
            assertEquals("C:\\dir", l.get("path"), "inside double quotes only \", $ and \\ are escaped");
            assertEquals("$HOME", l.get("dollar"), "variables in labels are not substituted");
            assertEquals("a\\b", l.get("backslash"));
        }

        @Test
        void legacyForm() {
            Map<String, String> l = labels("""
                    FROM scratch
                    LABEL name hello
                    LABEL description this is a   long value
                    label version "2.0"
                    LABEL summary a "quoted" word
                    """);
            assertEquals("hello", l.get("name"));
            assertEquals("this is a   long value", l.get("description"));
            assertEquals("2.0", l.get("version"));
            assertEquals("a quoted word", l.get("summary"));
        }

        @Test
        void continuationsAndCommentsInside() {
            Map<String, String> l = labels("""
                    FROM scratch
                    # a comment
                    LABEL name="hello" \\
                    # comment inside the continuation
                          version=1.0 \\

                          release=3 summary="two \\
                    words" spaced="a \\
                       b"
                    RUN true
                    """);
            assertEquals("hello", l.get("name"));
            assertEquals("1.0", l.get("version"));
            assertEquals("3", l.get("release"));
            assertEquals("two words", l.get("summary"));
            assertEquals("a    b", l.get("spaced"), "a continued line keeps its indentation, as in Docker");
        }

        @Test
        void escapedSpaceInUnquotedValueAndQuotedKey() {
            Map<String, String> l = labels("FROM x\nLABEL \"name\"=a\\ b \"com.example.key\"=v\n");
            assertEquals("a b", l.get("name"));
            assertEquals("v", l.get("com.example.key"));
        }

        @Test
        void laterLabelsOverrideAndOnlyTheFinalStageCounts() {
            Map<String, String> l = labels("""
                    FROM builder AS build
                    LABEL name=builder version=9 release=9
                    FROM scratch
                    LABEL name=final version=1
                    LABEL version=2
                    """);
            assertEquals(Map.of("name", "final", "version", "2"), l);
        }

        @Test
        void aStageBuiltFromAnEarlierStageInheritsItsLabels() {
            String df = """
                    FROM a/b AS base
                    LABEL inherited=yes name=base version=0
                    FROM base AS middle
                    LABEL name=middle
                    FROM a/b AS unrelated
                    LABEL other=1
                    FROM MIDDLE
                    LABEL version=1.0
                    """;
            DockerfileParser.Result r = DockerfileParser.parse(df);
            assertEquals(Map.of("inherited", "yes", "name", "middle", "version", "1.0"), r.labels());
            assertEquals(Map.of("inherited", "yes", "name", "base", "version", "0"), r.stages().get(0).labels(),
                    "a later stage does not change the stage it starts from");
            assertEquals("a/b", r.parentImage());
        }

        @Test
        void windowsLineEndingsAndByteOrderMark() {
            Map<String, String> l = labels("\uFEFFFROM x\r\nLABEL name=a \\\r\n version=1\r\n");
            assertEquals(Map.of("name", "a", "version", "1"), l);
        }

        @Test
        void noLabels() {
            assertTrue(labels("FROM x\nRUN echo LABEL name=x\n").isEmpty());
        }

        @Test
        void badLabelsNameTheirLine() {
            refused("FROM x\nLABEL name=\"open\n", 2);
            refused("FROM x\nLABEL description it's\n", 2);
            assertTrue(refused("FROM x\nLABEL a=b c\n", 2).contains("key=value"));
            assertTrue(refused("FROM x\nLABEL =b\n", 2).contains("without a name"));
            assertTrue(refused("FROM x\nRUN true\nLABEL\n", 3).contains("at least one"));
            assertTrue(refused("FROM x\nLABEL single\n", 2).contains("LABEL single=<value>"));
        }
    }

    @Nested
    class ParserDirectives {
        @Test
        void backtickEscapeContinuesLabelsOverLines() {
            String df = """
                    # escape=`
                    FROM x
                    LABEL name=win `
                      version=1.0 `
                      # a comment inside the continuation
                      path="C:\\Program Files\\app" `
                      quoted="say `"hi`"" spaced=a` b
                    RUN echo done \\
                    """;
            DockerfileParser.Result r = DockerfileParser.parse(df);
            assertEquals(Map.of("name", "win", "version", "1.0", "path", "C:\\Program Files\\app", "quoted", "say \"hi\"",
                    "spaced", "a b"), r.labels());
            DockerfileParser.Instruction label = r.stages().get(0).body().get(0);
            assertEquals(3, label.firstLine());
            assertEquals(7, label.lastLine());
            assertEquals("echo done \\", r.stages().get(0).body().get(1).args(), "a backslash no longer continues");
        }

        @Test
        void directivesAreCaseInsensitiveMayBeSpacedAndTheSyntaxAndCheckDirectivesAreIgnored() {
            String df = "#syntax=docker/dockerfile:1\n  #  ESCAPE =  `  \n# check=skip=all\nFROM x\nLABEL a=1 `\n b=2\n";
            assertEquals(Map.of("a", "1", "b", "2"), labels(df));
        }

        @Test
        void anEscapeDirectiveAfterAnInstructionIsAComment() {
            String df = "FROM x\n# escape=`\nLABEL a=1`\nLABEL b=2\n";
            assertEquals(Map.of("a", "1`", "b", "2"), labels(df), "the backtick is an ordinary character");
        }

        @Test
        void anEmptyLineCommentOrUnknownDirectiveEndsTheDirectives() {
            for (String lead : List.of("\n", "# a comment\n", "# unknown=1\n")) {
                String df = lead + "# escape=`\nFROM x\nLABEL a=1 \\\n b=2\n";
                assertEquals(Map.of("a", "1", "b", "2"), labels(df), lead);
            }
        }

        @Test
        void badDirectivesAreRefused() {
            assertTrue(refused("# escape=x\nFROM x\n", 1).contains("` (backtick)"));
            assertTrue(refused("# escape=`\n# escape=\\\nFROM x\n", 2).contains("only once"));
        }
    }
}
