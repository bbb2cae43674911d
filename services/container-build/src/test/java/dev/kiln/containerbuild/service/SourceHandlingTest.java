package dev.kiln.containerbuild.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.events.Stage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
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
        ContextArchives.extract(archive, tmp.resolve("out"));
        assertEquals("FROM kiln/busybox\n", Files.readString(tmp.resolve("out/Dockerfile")));
        assertTrue(Files.isExecutable(tmp.resolve("out/sub/run.sh")));

        Path repacked = tmp.resolve("repacked.tar");
        ContextArchives.tar(tmp.resolve("out"), repacked);
        ContextArchives.extract(repacked, tmp.resolve("again"));
        assertEquals("#!/bin/sh\n", Files.readString(tmp.resolve("again/sub/run.sh")));
    }

    @Test
    void archiveEscapingTheContextIsRefused() throws IOException {
        Path archive = tmp.resolve("evil.tar");
        Files.write(archive, tar("../evil", "x"));
        assertThrows(ContextArchives.InvalidArchiveException.class, () -> ContextArchives.extract(archive, tmp.resolve("out")));
        Path notTar = tmp.resolve("not.tar");
        Files.writeString(notTar, "hello, I am not a tar");
        assertThrows(ContextArchives.InvalidArchiveException.class, () -> ContextArchives.extract(notTar, tmp.resolve("out2")));
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
        assertEquals(first.name(), GitCheckout.checkout(url, "main", first.name(), tmp.resolve("c1")));
        assertEquals("FROM kiln/busybox\n", Files.readString(tmp.resolve("c1/Dockerfile")));
        GitCheckout.checkout(url, "main", null, tmp.resolve("c2"));
        assertTrue(Files.readString(tmp.resolve("c2/Dockerfile")).contains("echo two"));
        assertThrows(IllegalArgumentException.class,
                () -> GitCheckout.checkout(url, "main", "0123456789012345678901234567890123456789", tmp.resolve("c3")));
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
