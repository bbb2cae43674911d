package dev.kiln.testsupport;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.support.docker.DockerClients;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The real Docker daemon the tests use: {@code KILN_TEST_DOCKER_HOST} (default {@code unix:///var/run/docker.sock}),
 * with TLS material from {@code KILN_TEST_DOCKER_CERT_PATH} when set. Never skipped: a missing daemon fails the test.
 */
public final class TestDocker {
    /** The locally made base image: busybox-static, imported, no pull from anywhere. */
    public static final String BASE_IMAGE = "kiln/busybox:latest";
    public static final String BUSYBOX = "/bin/busybox";
    private static final String[] APPLETS = {"sh", "echo", "cat", "ls", "true", "false", "sleep", "env", "test", "id",
            "mkdir", "rm", "cp", "grep", "wc", "head", "printf", "touch", "wget", "nc", "ps", "uname"};

    private TestDocker() {
    }

    public static String host() {
        return System.getenv().getOrDefault("KILN_TEST_DOCKER_HOST", "unix:///var/run/docker.sock");
    }

    public static Optional<String> certPath() {
        return Optional.ofNullable(System.getenv("KILN_TEST_DOCKER_CERT_PATH")).filter(s -> !s.isBlank());
    }

    /** A client of the test daemon; throws with a clear message when it cannot be reached. */
    public static DockerClient client() {
        DockerClient client = DockerClients.create(host(), certPath());
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            throw new IllegalStateException("Docker daemon at " + host() + " is not reachable (./kiln test starts one): "
                    + e.getMessage(), e);
        }
        return client;
    }

    /** Imports {@link #BASE_IMAGE} from the host's busybox-static when the daemon does not have it yet. */
    public static String ensureBaseImage(DockerClient client) {
        try {
            client.inspectImageCmd(BASE_IMAGE).exec();
            return BASE_IMAGE;
        } catch (NotFoundException e) {
            // import below
        }
        byte[] rootfs;
        try {
            rootfs = busyboxRootfs();
        } catch (IOException e) {
            throw new IllegalStateException("cannot import the base image: " + e.getMessage(), e);
        }
        if (host().startsWith("tcp://")) {
            // docker-java's import (POST /images/create?fromSrc=-) arrives truncated over TLS ("unexpected EOF"),
            // while build contexts stream fine: make the same image with FROM scratch + ADD of the rootfs tar
            buildBaseImage(client, rootfs);
        } else {
            client.createImageCmd("kiln/busybox", new ByteArrayInputStream(rootfs)).withTag("latest").exec();
        }
        return BASE_IMAGE;
    }

    private static void buildBaseImage(DockerClient client, byte[] rootfs) {
        try {
            ByteArrayOutputStream context = new ByteArrayOutputStream();
            try (TarArchiveOutputStream tar = new TarArchiveOutputStream(context)) {
                byte[] dockerfile = "FROM scratch\nADD rootfs.tar /\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (Object[] f : new Object[][] {{"Dockerfile", dockerfile}, {"rootfs.tar", rootfs}}) {
                    byte[] data = (byte[]) f[1];
                    TarArchiveEntry e = new TarArchiveEntry((String) f[0]);
                    e.setSize(data.length);
                    e.setMode(0644);
                    tar.putArchiveEntry(e);
                    tar.write(data);
                    tar.closeArchiveEntry();
                }
            }
            client.buildImageCmd(new ByteArrayInputStream(context.toByteArray()))
                    .withNetworkMode("none").withForcerm(true).withPull(false)
                    .withTags(java.util.Set.of(BASE_IMAGE))
                    .exec(new com.github.dockerjava.api.command.BuildImageResultCallback())
                    .awaitImageId(120, java.util.concurrent.TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new IllegalStateException("cannot build the base image: " + e.getMessage(), e);
        }
    }

    /** A root filesystem tar with busybox-static and its applets linked under /bin. */
    public static byte[] busyboxRootfs() throws IOException {
        Path busybox = Path.of(BUSYBOX);
        if (!Files.isRegularFile(busybox)) {
            throw new IllegalStateException(BUSYBOX + " is missing: install Debian's busybox-static");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String d : new String[] {"bin/", "tmp/", "etc/", "root/"}) {
                TarArchiveEntry dir = new TarArchiveEntry(d);
                dir.setMode(d.equals("tmp/") ? 01777 : 0755);
                tar.putArchiveEntry(dir);
                tar.closeArchiveEntry();
            }
            byte[] bin = Files.readAllBytes(busybox);
            TarArchiveEntry e = new TarArchiveEntry("bin/busybox");
            e.setSize(bin.length);
            e.setMode(0755);
            tar.putArchiveEntry(e);
            tar.write(bin);
            tar.closeArchiveEntry();
            for (String applet : APPLETS) {
                TarArchiveEntry link = new TarArchiveEntry("bin/" + applet, TarArchiveEntry.LF_SYMLINK);
                link.setLinkName("busybox");
                tar.putArchiveEntry(link);
                tar.closeArchiveEntry();
            }
            byte[] passwd = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n".getBytes();
            TarArchiveEntry p = new TarArchiveEntry("etc/passwd");
            p.setSize(passwd.length);
            p.setMode(0644);
            tar.putArchiveEntry(p);
            tar.write(passwd);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }
}
