package dev.kiln.cli.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextArchiverTest {

    @TempDir
    Path dir;

    private void write(String name, String content) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** Entry name → entry, in archive order, with file contents read. */
    static Map<String, TarArchiveEntry> entries(byte[] tar, Map<String, String> contents) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                entries.put(e.getName(), e);
                if (e.isFile() && contents != null) {
                    contents.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return entries;
    }

    @Test
    void packsTheContextHonouringDockerignore() throws IOException {
        write("Dockerfile", "FROM localhost:5001/base/busybox:latest\n");
        write("app/run.sh", "#!/bin/sh\necho hi\n");
        Files.setPosixFilePermissions(dir.resolve("app/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        write("app/notes.md", "notes");
        write("README.md", "readme");
        write("target/big.bin", "xxxx");
        write("logs/a.log", "log");
        write("debug.log", "log");
        write(".git/HEAD", "ref: refs/heads/main");
        write(".dockerignore", "# build output\ntarget\n.git\n**/*.log\n*.md\n!README.md\n");
        Files.createSymbolicLink(dir.resolve("app/link"), Path.of("run.sh"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> names = ContextArchiver.write(dir, "Dockerfile", out);
        Map<String, String> contents = new LinkedHashMap<>();
        Map<String, TarArchiveEntry> entries = entries(out.toByteArray(), contents);

        // "*.md" is anchored at the root (as in Docker), so app/notes.md stays; "**/*.log" reaches everywhere.
        assertEquals(List.of(".dockerignore", "Dockerfile", "README.md", "app/", "app/link", "app/notes.md",
                "app/run.sh", "logs/"), names);
        assertEquals(names, List.copyOf(entries.keySet()));
        assertEquals("FROM localhost:5001/base/busybox:latest\n", contents.get("Dockerfile"));
        assertEquals("readme", contents.get("README.md"));
        TarArchiveEntry script = entries.get("app/run.sh");
        assertEquals(0755, script.getMode() & 0777, "the executable bit survives");
        assertEquals(0, script.getLongUserId());
        TarArchiveEntry link = entries.get("app/link");
        assertTrue(link.isSymbolicLink());
        assertEquals("run.sh", link.getLinkName());
        assertTrue(entries.get("app/").isDirectory());
    }

    /**
     * Modes with setuid/setgid/sticky and without file type bits, whole-second times and hard links, as the docker CLI
     * sends them (the legacy builder hashes the mode into COPY's history line).
     */
    @Test
    void keepsSpecialModesTimesAndHardLinks() throws IOException {
        write("Dockerfile", "FROM x\n");
        write("bin/tool", "#!/bin/sh\n");
        write("secret", "s");
        Files.createDirectories(dir.resolve("shared"));
        Files.setAttribute(dir.resolve("bin/tool"), "unix:mode", 04755);
        Files.setAttribute(dir.resolve("secret"), "unix:mode", 0600);
        Files.setAttribute(dir.resolve("shared"), "unix:mode", 01777);
        Files.setLastModifiedTime(dir.resolve("secret"), java.nio.file.attribute.FileTime.from(
                java.time.Instant.parse("2020-01-02T03:04:05.678Z")));
        Files.createLink(dir.resolve("bin/tool2"), dir.resolve("bin/tool"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContextArchiver.write(dir, "Dockerfile", out);
        Map<String, String> contents = new LinkedHashMap<>();
        Map<String, TarArchiveEntry> entries = entries(out.toByteArray(), contents);

        assertEquals(04755, entries.get("bin/tool").getMode());
        assertEquals(0600, entries.get("secret").getMode());
        assertEquals(01777, entries.get("shared/").getMode());
        assertEquals(04755, entries.get("bin/tool2").getMode());
        assertEquals(java.time.Instant.parse("2020-01-02T03:04:05Z"),
                entries.get("secret").getLastModifiedTime().toInstant());
        assertTrue(entries.get("bin/tool2").isLink(), "the second name is a hard link");
        assertEquals("bin/tool", entries.get("bin/tool2").getLinkName());
        assertEquals("#!/bin/sh\n", contents.get("bin/tool"));
    }

    @Test
    void theDockerfileAndDockerignoreAreAlwaysSent() throws IOException {
        write("build/Containerfile", "FROM scratch\n");
        write("build/other.txt", "other");
        write("data.txt", "data");
        write(".dockerignore", ".dockerignore\nbuild\n*.txt\n");

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> names = ContextArchiver.write(dir, "./build/Containerfile", out);

        assertEquals(List.of(".dockerignore", "build/Containerfile"), names);
    }

    @Test
    void withoutDockerignoreEverythingIsSent() throws IOException {
        write("Dockerfile", "FROM scratch\n");
        write("a/b/c.txt", "c");
        Files.createDirectories(dir.resolve("empty"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<String> names = ContextArchiver.write(dir, "Dockerfile", out);

        assertEquals(List.of("Dockerfile", "a/", "a/b/", "a/b/c.txt", "empty/"), names);
    }

    @Test
    void writesATemporaryFile() throws IOException {
        write("Dockerfile", "FROM scratch\n");
        Path tar = ContextArchiver.writeTemp(dir, "Dockerfile");
        try {
            Map<String, TarArchiveEntry> entries = entries(Files.readAllBytes(tar), null);
            assertEquals(List.of("Dockerfile"), List.copyOf(entries.keySet()));
        } finally {
            Files.deleteIfExists(tar);
        }
    }
}
