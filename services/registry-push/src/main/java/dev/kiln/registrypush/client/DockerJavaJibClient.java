package dev.kiln.registrypush.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.command.InspectImageResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Info;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.DockerClient;
import com.google.cloud.tools.jib.api.DockerInfoDetails;
import com.google.cloud.tools.jib.api.ImageDetails;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.image.ImageTarball;
import com.google.cloud.tools.jib.json.JsonTemplateMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Jib's {@link DockerClient} on top of docker-java, so that Jib talks to the daemon's API (over mutual TLS when
 * configured) and never runs the {@code docker} command. Images are named by a Jib {@link ImageReference}; a reference
 * made by {@link #byId(String)} stands for a daemon image id (an image that has no tag).
 */
public final class DockerJavaJibClient implements DockerClient {
    /** Repository of the references that stand for image ids: {@code kiln-image-id:<hex>}. */
    static final String ID_REPOSITORY = "kiln-image-id";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final com.github.dockerjava.api.DockerClient docker;

    public DockerJavaJibClient(com.github.dockerjava.api.DockerClient docker) {
        this.docker = docker;
    }

    /** A Jib reference for the daemon image {@code sha256:<hex>}. */
    public static ImageReference byId(String imageId) {
        String hex = imageId.startsWith("sha256:") ? imageId.substring("sha256:".length()) : imageId;
        return ImageReference.of(null, ID_REPOSITORY, hex);
    }

    /** The name the daemon knows {@code reference} by. */
    static String daemonName(ImageReference reference) {
        if (ID_REPOSITORY.equals(reference.getRepository()) && reference.getTag().isPresent()
                && reference.getDigest().isEmpty()) {
            return "sha256:" + reference.getTag().get();
        }
        return reference.toString();
    }

    @Override
    public boolean supported(Map<String, String> parameters) {
        return true;
    }

    @Override
    public String load(ImageTarball imageTarball, Consumer<Long> writtenByteCountListener) throws IOException {
        Path tar = Files.createTempFile("kiln-load-", ".tar");
        try {
            try (OutputStream out = new CountingOutputStream(Files.newOutputStream(tar), writtenByteCountListener)) {
                imageTarball.writeTo(out);
            }
            try (InputStream in = Files.newInputStream(tar)) {
                docker.loadImageCmd(in).exec();
            } catch (RuntimeException e) {
                throw new DaemonException("the Docker daemon could not load the image: " + e.getMessage(), false, e);
            }
            return "Loaded image";
        } finally {
            Files.deleteIfExists(tar);
        }
    }

    @Override
    public void save(ImageReference imageReference, Path outputPath, Consumer<Long> writtenByteCountListener)
            throws IOException {
        String name = daemonName(imageReference);
        try (InputStream in = docker.saveImageCmd(name).exec();
                OutputStream out = new CountingOutputStream(Files.newOutputStream(outputPath), writtenByteCountListener)) {
            in.transferTo(out);
        } catch (NotFoundException e) {
            throw new DaemonException("image " + name + " is not in the Docker daemon", true, e);
        } catch (RuntimeException e) {
            throw new DaemonException("the Docker daemon could not save image " + name + ": " + e.getMessage(), false, e);
        }
    }

    @Override
    public ImageDetails inspect(ImageReference imageReference) throws IOException {
        String name = daemonName(imageReference);
        InspectImageResponse response;
        try {
            response = docker.inspectImageCmd(name).exec();
        } catch (NotFoundException e) {
            throw new DaemonException("image " + name + " is not in the Docker daemon", true, e);
        } catch (RuntimeException e) {
            throw new DaemonException("the Docker daemon could not inspect image " + name + ": " + e.getMessage(), false, e);
        }
        long size = response.getSize() == null ? 0 : response.getSize();
        String id = response.getId();
        List<String> diffIds = response.getRootFS() == null || response.getRootFS().getLayers() == null
                ? List.of() : List.copyOf(response.getRootFS().getLayers());
        return new ImageDetails() {
            @Override
            public long getSize() {
                return size;
            }

            @Override
            public DescriptorDigest getImageId() throws DigestException {
                return DescriptorDigest.fromDigest(id);
            }

            @Override
            public List<DescriptorDigest> getDiffIds() throws DigestException {
                List<DescriptorDigest> digests = new ArrayList<>();
                for (String diffId : diffIds) {
                    digests.add(DescriptorDigest.fromDigest(diffId));
                }
                return digests;
            }
        };
    }

    @Override
    public DockerInfoDetails info() throws IOException {
        Info info;
        try {
            info = docker.infoCmd().exec();
        } catch (RuntimeException e) {
            throw new DaemonException("the Docker daemon did not answer: " + e.getMessage(), false, e);
        }
        Map<String, String> fields = new HashMap<>();
        fields.put("osType", info.getOsType());
        fields.put("architecture", info.getArchitecture());
        return JsonTemplateMapper.readJson(JSON.writeValueAsString(fields), DockerInfoDetails.class);
    }

    /** Reports the size of every written chunk to Jib's progress listener (which adds them up). */
    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        private final Consumer<Long> listener;

        CountingOutputStream(OutputStream out, Consumer<Long> listener) {
            this.out = out;
            this.listener = listener;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            listener.accept(1L);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            listener.accept((long) len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
