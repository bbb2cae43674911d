package dev.kiln.containerbuild.preflight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.events.BuildOptions;
import dev.kiln.events.BuildRequested;
import dev.kiln.events.ImageReference;
import dev.kiln.events.Nvr;
import dev.kiln.events.Source;
import dev.kiln.events.Stage;
import dev.kiln.support.dockerfile.DockerfileParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Each preflight plugin on its own, on Dockerfile text; no daemon (the pinning resolver is a function here). */
class PreflightPluginsTest {
    static final String D1 = "sha256:" + "1".repeat(64);
    static final String D2 = "sha256:" + "2".repeat(64);
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05.678Z");

    static BuildRequested request(String component, boolean scratch, String network, Source source) {
        return new BuildRequested("b-1", component, source, "Dockerfile", scratch, "alice",
                new Nvr("hello", "1.0", scratch ? null : "3"), new BuildOptions(network, 60), NOW);
    }

    static PreflightContext context(String dockerfile) throws Exception {
        return context(request("hello", false, "none", Source.context(D1)), dockerfile);
    }

    static PreflightContext context(BuildRequested request, String dockerfile) throws Exception {
        PreflightContext c = new PreflightContext(request, "Dockerfile", dockerfile, null, line -> { }, NOW);
        new ParseDockerfilePlugin().run(c);
        return c;
    }

    static BuildFailure fails(PreflightPlugin plugin, PreflightContext c, String reason) {
        BuildFailure f = assertThrows(BuildFailure.class, () -> plugin.run(c));
        assertEquals(Stage.PREFLIGHT, f.stage());
        assertEquals(reason, f.reason(), f.getMessage());
        assertFalse(f.transientFailure());
        return f;
    }

    @Nested
    class Parse {
        @Test
        void parsesStagesAndArgs() throws Exception {
            PreflightContext c = context("ARG R=localhost:5001\nFROM $R/base:1 AS a\nFROM a\nLABEL name=x\n");
            assertEquals("localhost:5001/base:1", c.parsed().parentImage());
            assertEquals(2, c.parsed().stages().size());
        }

        @Test
        void noFromAndGarbageAreInvalid() {
            BuildFailure f = assertThrows(BuildFailure.class, () -> context("RUN echo\n"));
            assertEquals("dockerfile-invalid", f.reason());
            f = assertThrows(BuildFailure.class, () -> context("FROM a b c d\n"));
            assertEquals("dockerfile-invalid", f.reason());
            f = assertThrows(BuildFailure.class, () -> context("FROM ${MISSING}\n"));
            assertTrue(f.getMessage().contains("default"), f.getMessage());
        }
    }

    @Nested
    class RequiredLabels {
        @Test
        void nameAndVersionByDefaultPlusPerComponent() throws Exception {
            RequiredLabelsPlugin p = new RequiredLabelsPlugin(List.of("name", "version"), Map.of("hello", List.of("summary")));
            BuildFailure f = fails(p, context("FROM x/y\nLABEL name=hello version=\"\"\n"), "missing-labels");
            assertTrue(f.getMessage().contains("version, summary"), f.getMessage());
            p.run(context("FROM x/y\nLABEL name=hello version=1.0 summary=\"a b\"\n"));
            new RequiredLabelsPlugin(List.of("name", "version"), Map.of())
                    .run(context(request("other", false, "none", Source.context(D1)), "FROM x/y\nLABEL name=a version=1\n"));
        }

        @Test
        void labelsOfAnEarlierStageCountOnlyWhenTheFinalStageStartsFromIt() throws Exception {
            RequiredLabelsPlugin p = new RequiredLabelsPlugin(List.of("name", "version"), Map.of());
            p.run(context("FROM x/y AS base\nLABEL name=hello version=1.0\nFROM base\n"));
            fails(p, context("FROM x/y AS base\nLABEL name=hello version=1.0\nFROM x/z\n"), "missing-labels");
        }
    }

    @Nested
    class NvrRelease {
        @Test
        void reservedReleaseIsInjected() throws Exception {
            PreflightContext c = context("FROM x/y\nLABEL name=hello version=1.0\n");
            new NvrReleasePlugin().run(c);
            assertEquals("3", c.labels().get("release"));
            PreflightContext same = context("FROM x/y\nLABEL name=hello version=1.0 release=3\n");
            new NvrReleasePlugin().run(same);
        }

        @Test
        void aDisagreeingReleaseLabelFails() throws Exception {
            BuildFailure f = fails(new NvrReleasePlugin(), context("FROM x/y\nLABEL name=hello version=1.0 release=2\n"),
                    "release-mismatch");
            assertTrue(f.getMessage().contains("release=2") && f.getMessage().contains("reserved release 3"));
        }

        @Test
        void nameOrVersionOtherThanSubmittedFails() throws Exception {
            fails(new NvrReleasePlugin(), context("FROM x/y\nLABEL name=hello version=2.0\n"), "nvr-mismatch");
            fails(new NvrReleasePlugin(), context("FROM x/y\nLABEL name=bye version=1.0\n"), "nvr-mismatch");
        }

        @Test
        void scratchBuildsGetNoRelease() throws Exception {
            PreflightContext c = context(request("hello", true, "none", Source.context(D1)),
                    "FROM x/y\nLABEL name=hello version=1.0\n");
            new NvrReleasePlugin().run(c);
            assertNull(c.labels().get("release"));
        }
    }

    @Nested
    class ParentRegistry {
        final ParentRegistryPlugin plugin = new ParentRegistryPlugin(List.of("localhost:5001", "localhost:5000"));

        @Test
        void allowedRegistriesStagesAndScratchPass() throws Exception {
            plugin.run(context("FROM localhost:5001/base/busybox:latest AS a\nFROM a\nFROM scratch\n"
                    + "FROM localhost:5000/x@" + D1 + "\n"));
        }

        @Test
        void otherRegistriesAndDockerHubAreRefused() throws Exception {
            BuildFailure f = fails(plugin, context("FROM localhost:5001/ok\nFROM quay.io/x/y:1\n"),
                    "parent-registry-not-allowed");
            assertTrue(f.getMessage().contains("quay.io/x/y:1") && f.getMessage().contains("line 2")
                    && f.getMessage().contains("localhost:5001, localhost:5000"), f.getMessage());
            f = fails(plugin, context("FROM busybox\n"), "parent-registry-not-allowed");
            assertTrue(f.getMessage().contains("docker.io (no registry named)"), f.getMessage());
        }
    }

    @Nested
    class Network {
        @Test
        void noneByDefaultHostOnlyForListedComponents() throws Exception {
            BuildNetworkPlugin p = new BuildNetworkPlugin(List.of("mirror-user"));
            PreflightContext c = context("FROM x/y\n");
            p.run(c);
            assertEquals("none", c.network());
            PreflightContext host = context(request("mirror-user", false, "host", Source.context(D1)), "FROM x/y\n");
            p.run(host);
            assertEquals("host", host.network());
            fails(p, context(request("hello", false, "host", Source.context(D1)), "FROM x/y\n"), "host-network-not-allowed");
        }
    }

    @Nested
    class LegacySyntax {
        private PreflightContext raw(String dockerfile) throws Exception {
            return new PreflightContext(request("hello", false, "none", Source.context(D1)), "Dockerfile", dockerfile,
                    null, line -> { }, NOW);
        }

        private void refused(String dockerfile, int line, String construct) throws Exception {
            BuildFailure f = fails(new LegacySyntaxPlugin(), raw(dockerfile), LegacySyntaxPlugin.REASON);
            assertTrue(f.getMessage().startsWith("Line " + line + " of Dockerfile uses "), f.getMessage());
            assertTrue(f.getMessage().contains(construct), f.getMessage());
            assertTrue(f.getMessage().contains("legacy builder"), f.getMessage());
        }

        @Test
        void buildKitOnlyConstructsAreRefusedWithTheirLine() throws Exception {
            refused("FROM x/y\nRUN <<EOF\necho hi\nEOF\n", 2, "heredoc (RUN <<EOF)");
            refused("FROM x/y\nCOPY <<-'END' /etc/motd\nhello\nEND\n", 2, "heredoc (COPY <<-'END')");
            refused("# syntax=docker/dockerfile:1.4\nFROM x/y\n", 1, "'# syntax=docker/dockerfile:1.4' directive");
            refused("FROM x/y\nRUN --mount=type=cache,target=/root/.cache make\n", 2, "RUN --mount");
            refused("FROM x/y\nRUN --network=host true\n", 2, "RUN --network");
            refused("FROM x/y\nCOPY --link a /a\n", 2, "COPY --link");
            refused("FROM x/y\nCOPY --chown=1:1 --chmod=0755 a /a\n", 2, "COPY --chmod");
            refused("FROM x/y\nADD --checksum=sha256:00 a /a\n", 2, "ADD --checksum");
            refused("FROM x/y\nCOPY --exclude=*.md . /src\n", 2, "COPY --exclude");
            refused("FROM x/y\nLABEL a=b \\\n  c=d\nONBUILD RUN --mount=type=secret,id=k cat /run/secrets/k\n", 4,
                    "RUN --mount");
            // the escape directive changes the continuation character
            refused("# escape=`\nFROM x/y\nRUN echo a `\n  b\nCOPY --link a /a\n", 5, "COPY --link");
        }

        @Test
        void whatTheLegacyBuilderBuildsPasses() throws Exception {
            for (String ok : List.of(
                    "FROM x/y\nRUN cat <<<\"here string\" && echo done\n",
                    "FROM x/y AS a\nCOPY --from=a --chown=1:1 /a /b\nADD --chown=0:0 t.tar /\n",
                    "FROM --platform=linux/amd64 x/y\nRUN echo '--mount=not-a-flag'\n",
                    "# a comment first: a later '# syntax=' line is a comment\n# syntax=docker/dockerfile:1\nFROM x/y\n",
                    "FROM x/y\nRUN echo one \\\n  --mount=this-is-an-argument\n",
                    "FROM x/y\nRUN [\"/bin/sh\", \"-c\", \"cat <<EOF\"]\n")) {
                new LegacySyntaxPlugin().run(raw(ok));
            }
        }
    }

    @Nested
    class AddUrl {
        @Test
        void addOfAUrlIsRefusedWithoutNetwork() throws Exception {
            PreflightContext c = context("FROM x/y\nCOPY a /a\nADD local.tar /x/\nADD --chown=1:1 \\\n  https://example.com/a.tgz /opt/\n");
            c.network("none");
            BuildFailure f = fails(new AddUrlPlugin(), c, "add-url-without-network");
            assertTrue(f.getMessage().contains("line 4") && f.getMessage().contains("https://example.com/a.tgz"));
            PreflightContext json = context("FROM x/y\nADD [\"http://example.com/a\", \"/a\"]\n");
            json.network("none");
            fails(new AddUrlPlugin(), json, "add-url-without-network");
        }

        @Test
        void localAddAndHostNetworkPass() throws Exception {
            PreflightContext c = context("FROM x/y\nADD local.tar https-dir/\nCOPY --from=x http /y\n");
            c.network("none");
            new AddUrlPlugin().run(c);
            PreflightContext host = context("FROM x/y\nADD https://example.com/a /a\n");
            host.network("host");
            new AddUrlPlugin().run(host);
        }

        @Test
        void sources() {
            assertEquals(List.of("a", "b"), AddUrlPlugin.sources("--chmod=644 a b /dest/"));
            assertEquals(List.of("http://x/y"), AddUrlPlugin.sources("[\"http://x/y\", \"/d\"]"));
            assertEquals(List.of("https://x/y"), AddUrlPlugin.sources("--chown=1:1\thttps://x/y\t/d"),
                    "a continued line keeps its tab, which separates words as a blank does");
        }
    }

    @Nested
    class PinParents {
        @Test
        void everyFromIsRewrittenToItsDigest() throws Exception {
            String df = """
                    ARG TAG=1
                    FROM --platform=linux/amd64 localhost:5001/base:${TAG} \\
                        AS build
                    RUN make
                    FROM build AS test
                    FROM localhost:5000/runtime:2
                    COPY --from=build /out /out
                    FROM scratch AS empty
                    FROM localhost:5000/runtime:2
                    """;
            PreflightContext c = context(df);
            List<String> pulled = new ArrayList<>();
            new PinParentsPlugin(ref -> {
                pulled.add(ref);
                return ref.startsWith("localhost:5001/") ? D1 : D2;
            }).run(c);
            assertEquals(List.of("localhost:5001/base:1", "localhost:5000/runtime:2"), pulled, "one pull per image");
            String[] lines = c.dockerfile().split("\n", -1);
            assertEquals("FROM --platform=linux/amd64 localhost:5001/base@" + D1 + " AS build", lines[1]);
            assertEquals("", lines[2], "line numbers stay");
            assertEquals("RUN make", lines[3]);
            assertEquals("FROM build AS test", lines[4]);
            assertEquals("FROM localhost:5000/runtime@" + D2, lines[5]);
            assertEquals("FROM scratch AS empty", lines[7]);
            assertEquals("FROM localhost:5000/runtime@" + D2, lines[8]);
            assertEquals(df.split("\n", -1).length, lines.length);
            assertEquals("localhost:5000/runtime:2", c.parentImage());
            assertEquals(D2, c.parentDigest());
            assertEquals("localhost:5001/base@" + D1, c.pinned().get("localhost:5001/base:1"));
            assertEquals(3, DockerfileParser.parse(c.dockerfile()).stages().stream().filter(s -> !s.fromStage()
                    && !s.isScratch() && s.image().contains("@sha256:")).count(), "the rewritten file parses again");
        }

        @Test
        void aScratchParentHasNoDigestAndAFailedPullFails() throws Exception {
            PreflightContext c = context("FROM scratch\nCOPY x /\n");
            new PinParentsPlugin(ref -> {
                throw new AssertionError("nothing to pull");
            }).run(c);
            assertNull(c.parentDigest());
            assertEquals("scratch", c.parentImage());
            PreflightContext missing = context("FROM localhost:5001/nothing:1\n");
            BuildFailure f = assertThrows(BuildFailure.class, () -> new PinParentsPlugin(ref -> {
                throw new BuildFailure(Stage.PREFLIGHT, "parent-image-unavailable", "no " + ref, false);
            }).run(missing));
            assertEquals("parent-image-unavailable", f.reason());
        }

        @Test
        void repoDigest() {
            assertEquals("localhost:5001/a/b", ImageReference.parse("localhost:5001/a/b:1").name());
            assertEquals("localhost:5001/a/b", ImageReference.parse("localhost:5001/a/b@" + D1).name());
            assertEquals("localhost:5001/a/b", ImageReference.parse("localhost:5001/a/b").name());
            assertEquals(D1, PinParentsPlugin.repoDigest(ImageReference.parse("localhost:5001/a/b:1"),
                    List.of("x/y@" + D2, "localhost:5001/a/b@" + D1)));
            assertEquals(D1, PinParentsPlugin.repoDigest(ImageReference.parse("localhost:5001/a/b@" + D1), List.of()));
            assertNull(PinParentsPlugin.repoDigest(ImageReference.parse("localhost:5001/a/b:1"), null));
            assertNull(PinParentsPlugin.repoDigest(ImageReference.parse("localhost:5001/a/b:1"), List.of("x/y@" + D2)));
        }
    }

    @Nested
    class InjectedLabels {
        @Test
        void gitSourceLabels() throws Exception {
            String commit = "a".repeat(40);
            BuildRequested r = request("hello", false, "none", Source.git("https://git.example.com/hello.git", "main", null));
            PreflightContext c = new PreflightContext(r, "Dockerfile", "FROM localhost:5001/base:1\nLABEL name=hello version=1.0\n",
                    commit, line -> { }, NOW);
            new ParseDockerfilePlugin().run(c);
            new PinParentsPlugin(ref -> D1).run(c);
            new InjectLabelsPlugin("http://hub:8080/").run(c);
            Map<String, String> l = c.labels();
            assertEquals("2026-01-02T03:04:05Z", l.get("build-date"));
            assertEquals("2026-01-02T03:04:05Z", l.get("org.opencontainers.image.created"));
            assertEquals("git", l.get("vcs-type"));
            assertEquals("https://git.example.com/hello.git", l.get("vcs-url"));
            assertEquals(commit, l.get("vcs-ref"));
            assertEquals(commit, l.get("org.opencontainers.image.revision"));
            assertEquals("https://git.example.com/hello.git", l.get("org.opencontainers.image.source"));
            assertEquals("hello", l.get("org.opencontainers.image.title"));
            assertEquals("1.0-3", l.get("org.opencontainers.image.version"));
            assertEquals("b-1", l.get("dev.kiln.build-id"));
            assertEquals("localhost:5001/base:1", l.get("dev.kiln.parent-image"));
            assertEquals(D1, l.get("dev.kiln.parent-digest"));
            assertEquals(D1, l.get("org.opencontainers.image.base.digest"));
        }

        @Test
        void contextSourceLabels() throws Exception {
            PreflightContext c = context("FROM scratch\nLABEL name=hello version=1.0\n");
            new InjectLabelsPlugin("http://hub:8080").run(c);
            assertEquals("http://hub:8080/api/v1/contexts/" + D1, c.labels().get("org.opencontainers.image.source"));
            assertEquals(D1, c.labels().get("dev.kiln.context-digest"));
            assertFalse(c.labels().containsKey("vcs-ref"));
            assertFalse(c.labels().containsKey("dev.kiln.parent-digest"));
        }
    }
}
