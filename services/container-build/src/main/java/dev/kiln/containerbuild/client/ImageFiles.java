package dev.kiln.containerbuild.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The files of an image, read without running anything: one container of the image is created (network none) and
 * never started, files are copied out of it through the daemon's archive API, and it is removed on {@link #close()}.
 * One container serves every file a content manifest needs.
 */
public final class ImageFiles implements AutoCloseable {
    private final DockerDaemon docker;
    private final String containerId;

    ImageFiles(DockerDaemon docker, String containerId) {
        this.docker = docker;
        this.containerId = containerId;
    }

    /** Whether the image has anything (file, directory, symbolic link) at {@code path}; nothing is copied. */
    public boolean exists(String path) {
        return docker.pathExists(containerId, path);
    }

    /** A regular file of the image; empty when there is none at {@code path} (or a link or directory). */
    public Optional<byte[]> read(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        return docker.copyRegularFile(containerId, path, out) ? Optional.of(out.toByteArray()) : Optional.empty();
    }

    /**
     * Copies a regular file of the image to {@code target} (streamed: package databases can be large); false, and no
     * {@code target}, when there is none at {@code path}.
     */
    public boolean copy(String path, Path target) {
        boolean copied;
        try (OutputStream out = Files.newOutputStream(target)) {
            copied = docker.copyRegularFile(containerId, path, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!copied) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return copied;
    }

    @Override
    public void close() {
        docker.removeContainer(containerId);
    }
}
