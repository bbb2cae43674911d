package dev.kiln.containerbuild.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.containerbuild.domain.BuildFailure;
import dev.kiln.containerbuild.inspect.ContentManifest;
import dev.kiln.events.Stage;
import dev.kiln.support.source.Archives;
import dev.kiln.support.source.GitSources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Context archives, git checkouts, Dockerfile lookup and package lists, without Docker or Kafka. */
class SourceHandlingTest {
    @TempDir
    Path tmp;

    @Test
    void gzipContextRoundTrip() throws IOException {
        byte[] tar = tar("Dockerfile", "FROM kiln/busybox\n", "sub/run.sh", "#!/bin/sh\n");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(gz)) {
            o.write(tar);
        }
        Path archive = tmp.resolve("ctx.tgz");
        Files.write(archive, gz.toByteArray());
        Archives.extract(archive, tmp.resolve("out"));
        assertEquals("FROM kiln/busybox\n", Files.readString(tmp.resolve("out/Dockerfile")));
        assertTrue(Files.isExecutable(tmp.resolve("out/sub/run.sh")));

        Path rewritten = tmp.resolve("rewritten.tar");
        assertEquals(Set.of("Dockerfile"), ContextArchives.rewrite(archive, rewritten,
                Map.of("Dockerfile", "FROM kiln/busybox@sha256:00\n".getBytes(StandardCharsets.UTF_8))));
        Archives.extract(rewritten, tmp.resolve("again"));
        assertEquals("#!/bin/sh\n", Files.readString(tmp.resolve("again/sub/run.sh")));
        assertEquals("FROM kiln/busybox@sha256:00\n", Files.readString(tmp.resolve("again/Dockerfile")));
    }

    /** The daemon's context keeps every header of the uploaded one: modes with special bits, times, owners, links. */
    @Test
    void rewriteKeepsModesTimesAndLinks() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Instant mtime = Instant.parse("2021-05-06T07:08:09Z");
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(bytes)) {
            entry(out, "Dockerfile", 0100644, "FROM kiln/busybox\n", mtime);
            entry(out, "private/", 040750, null, mtime);
            entry(out, "private/secret", 0100600, "s", mtime);
            entry(out, "tool", 0104755, "#!/bin/sh\n", mtime);
            entry(out, "bin/", 041777, null, mtime);
            TarArchiveEntry link = new TarArchiveEntry("tool-link", TarConstants.LF_SYMLINK);
            link.setLinkName("tool");
            out.putArchiveEntry(link);
            out.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("tool-hard", TarConstants.LF_LINK);
            hard.setLinkName("tool");
            out.putArchiveEntry(hard);
            out.closeArchiveEntry();
        }
        Path archive = tmp.resolve("modes.tar");
        Files.write(archive, bytes.toByteArray());
        Path rewritten = tmp.resolve("modes-rewritten.tar");
        ContextArchives.rewrite(archive, rewritten, Map.of("Dockerfile", "FROM x@sha256:1\n".getBytes(StandardCharsets.UTF_8)));
        Map<String, TarArchiveEntry> got = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(rewritten))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                got.put(e.getName(), e);
            }
        }
        assertEquals(List.of("Dockerfile", "private/", "private/secret", "tool", "bin/", "tool-link", "tool-hard"),
                List.copyOf(got.keySet()));
        assertEquals(0100600, got.get("private/secret").getMode());
        assertEquals(040750, got.get("private/").getMode());
        assertEquals(0104755, got.get("tool").getMode());
        assertEquals(041777, got.get("bin/").getMode());
        assertEquals(mtime, got.get("tool").getLastModifiedTime().toInstant());
        assertEquals(1000, got.get("tool").getLongUserId());
        assertTrue(got.get("tool-link").isSymbolicLink());
        assertEquals("tool", got.get("tool-link").getLinkName());
        assertTrue(got.get("tool-hard").isLink());
        assertEquals("tool", got.get("tool-hard").getLinkName());
        assertEquals("FROM x@sha256:1\n".length(), got.get("Dockerfile").getSize());
        assertEquals(mtime, got.get("Dockerfile").getLastModifiedTime().toInstant());
    }

    private static void entry(TarArchiveOutputStream out, String name, int mode, String text, Instant mtime)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(mode);
        e.setModTime(FileTime.from(mtime));
        e.setIds(1000, 1000);
        byte[] data = text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
        if (text != null) {
            e.setSize(data.length);
        }
        out.putArchiveEntry(e);
        out.write(data);
        out.closeArchiveEntry();
    }

    /** A git source gives the modes git records and the commit's time. */
    @Test
    void gitArchiveHasGitModes() throws Exception {
        Path repo = tmp.resolve("repo");
        RevCommit commit;
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            Files.writeString(repo.resolve("Dockerfile"), "FROM kiln/busybox\n");
            Files.createDirectories(repo.resolve("bin"));
            Files.writeString(repo.resolve("bin/run.sh"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(repo.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwx------"));
            Files.writeString(repo.resolve("notes"), "n");
            Files.setPosixFilePermissions(repo.resolve("notes"), PosixFilePermissions.fromString("rw-------"));
            Files.createSymbolicLink(repo.resolve("run"), Path.of("bin/run.sh"));
            git.add().addFilepattern(".").call();
            commit = git.commit().setMessage("one").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
        Path tar = tmp.resolve("git.tar");
        GitCheckout.archive(repo, commit.name(), tar);
        Map<String, TarArchiveEntry> got = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                got.put(e.getName(), e);
            }
        }
        // permission bits only, as the docker CLI writes them: the legacy builder hashes the mode into COPY's cache key
        assertEquals(0644, got.get("Dockerfile").getMode());
        assertEquals(0755, got.get("bin/run.sh").getMode());
        assertEquals(0644, got.get("notes").getMode());
        assertEquals(0755, got.get("bin/").getMode());
        assertEquals(0777, got.get("run").getMode());
        assertEquals("bin/run.sh", got.get("run").getLinkName());
        assertEquals(Instant.ofEpochSecond(commit.getCommitTime()), got.get("notes").getLastModifiedTime().toInstant());
        assertTrue(!got.containsKey(".git/") && got.keySet().stream().noneMatch(n -> n.startsWith(".git")));
    }

    @Test
    void archiveEscapingTheContextIsRefused() throws IOException {
        Path archive = tmp.resolve("evil.tar");
        Files.write(archive, tar("../evil", "x"));
        assertThrows(Archives.InvalidArchiveException.class, () -> Archives.extract(archive, tmp.resolve("out")));
        Path notTar = tmp.resolve("not.tar");
        Files.writeString(notTar, "hello, I am not a tar");
        assertThrows(Archives.InvalidArchiveException.class, () -> Archives.extract(notTar, tmp.resolve("out2")));
    }

    @Test
    void dockerfileMustExistInsideTheContext() throws Exception {
        Files.createDirectories(tmp.resolve("ctx/docker"));
        Files.writeString(tmp.resolve("ctx/docker/Dockerfile"), "FROM kiln/busybox\n");
        assertEquals("docker/Dockerfile", SourceFetcher.dockerfile("./docker/Dockerfile", tmp.resolve("ctx")).dockerfilePath());
        BuildFailure missing = assertThrows(BuildFailure.class, () -> SourceFetcher.dockerfile("Dockerfile", tmp.resolve("ctx")));
        assertEquals("dockerfile-missing", missing.reason());
        assertEquals(Stage.SOURCE, missing.stage());
        assertThrows(BuildFailure.class, () -> SourceFetcher.dockerfile("../x/Dockerfile", tmp.resolve("ctx")));
        // a directory of the path that is a link out of the context (a git checkout may hold one): not read
        Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(tmp.resolve("outside/Dockerfile"), "FROM host-secret\n");
        Files.createSymbolicLink(tmp.resolve("ctx/out"), tmp.resolve("outside"));
        BuildFailure escaped = assertThrows(BuildFailure.class, () -> SourceFetcher.dockerfile("out/Dockerfile",
                tmp.resolve("ctx")));
        assertTrue(escaped.getMessage().contains("leaves the build context"), escaped.getMessage());
    }

    @Test
    void gitCheckoutOfACommitAndOfABranch() throws Exception {
        Path origin = tmp.resolve("origin");
        RevCommit first;
        try (Git git = Git.init().setDirectory(origin.toFile()).setInitialBranch("main").call()) {
            Files.writeString(origin.resolve("Dockerfile"), "FROM kiln/busybox\n");
            git.add().addFilepattern("Dockerfile").call();
            first = git.commit().setMessage("one").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
            Files.writeString(origin.resolve("Dockerfile"), "FROM kiln/busybox\nRUN echo two\n");
            git.add().addFilepattern("Dockerfile").call();
            git.commit().setMessage("two").setAuthor("t", "t@example.com").setCommitter("t", "t@example.com")
                    .setSign(false).call();
        }
        String url = origin.toUri().toString();
        assertEquals(first.name(), GitSources.checkout(url, "main", first.name(), tmp.resolve("c1")));
        assertEquals("FROM kiln/busybox\n", Files.readString(tmp.resolve("c1/Dockerfile")));
        GitSources.checkout(url, "main", null, tmp.resolve("c2"));
        assertTrue(Files.readString(tmp.resolve("c2/Dockerfile")).contains("echo two"));
        assertThrows(IllegalArgumentException.class,
                () -> GitSources.checkout(url, "main", "0123456789012345678901234567890123456789", tmp.resolve("c3")));
    }

    @Test
    void packageLists() {
        String dpkg = """
                Package: bash
                Status: install ok installed
                Version: 5.2.15-2+b2

                Package: gone
                Status: deinstall ok config-files
                Version: 1.0
                """;
        assertEquals(List.of("pkg:deb/debian/bash@5.2.15-2%2Bb2"), ContentManifest.fromDpkgStatus(dpkg, "debian"));
        assertEquals(List.of("pkg:deb/debian/tzdata@1:2024a-0"), ContentManifest.fromDpkgStatus(
                "Package: tzdata\nVersion: 1:2024a-0\n", "debian"), "an epoch's colon stays");
        assertEquals(List.of("pkg:deb/debian/gcc-14@14.2.0~rc1-1"), ContentManifest.fromDpkgStatus(
                "Package: gcc-14\nVersion: 14.2.0~rc1-1\n", "debian"), "the purl specification never encodes ~");
        String apk = "C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\n\nP:busybox\nV:1.36.1-r5\n";
        assertEquals(List.of("pkg:apk/alpine/musl@1.2.4-r2", "pkg:apk/alpine/busybox@1.36.1-r5"),
                ContentManifest.fromApkInstalled(apk, "alpine"));
        assertEquals("debian", ContentManifest.osReleaseId("PRETTY_NAME=\"Debian GNU/Linux 12\"\nID=debian\n"));
        assertEquals("ubuntu", ContentManifest.osReleaseId("ID=\"ubuntu\"\n"));
    }

    static byte[] tar(String... namesAndContents) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            for (int i = 0; i < namesAndContents.length; i += 2) {
                byte[] data = namesAndContents[i + 1].getBytes();
                TarArchiveEntry e = new TarArchiveEntry(namesAndContents[i]);
                e.setSize(data.length);
                e.setMode(namesAndContents[i].endsWith(".sh") ? 0755 : 0644);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
