package dev.kiln.registrypush;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import dev.kiln.testsupport.TestDocker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Makes {@link TestDocker#BASE_IMAGE} in the test daemon. {@link TestDocker#ensureBaseImage} imports the busybox rootfs
 * through docker-java's image create, which this dockerd answers with "unexpected EOF"; building {@code FROM scratch}
 * with the same rootfs tar {@code ADD}ed (a plain build context upload) makes the same image. Workaround until
 * test-support is fixed.
 */
public final class BaseImage {
    private BaseImage() {
    }

    public static synchronized String ensure(DockerClient docker) {
        try {
            docker.inspectImageCmd(TestDocker.BASE_IMAGE).exec();
            return TestDocker.BASE_IMAGE;
        } catch (NotFoundException e) {
            // make it below
        }
        try {
            return TestDocker.ensureBaseImage(docker);
        } catch (RuntimeException importFailed) {
            try {
                Path context = Files.createTempDirectory("kiln-base-");
                Files.write(context.resolve("rootfs.tar"), TestDocker.busyboxRootfs());
                Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nADD rootfs.tar /\nCMD [\"/bin/sh\"]\n");
                docker.buildImageCmd(context.toFile()).withTags(Set.of(TestDocker.BASE_IMAGE)).withNetworkMode("none")
                        .withPull(false).withForcerm(true).exec(new BuildImageResultCallback()).awaitImageId(2, TimeUnit.MINUTES);
                return TestDocker.BASE_IMAGE;
            } catch (IOException e) {
                IllegalStateException failure = new IllegalStateException("cannot make the base image: " + e.getMessage(), e);
                failure.addSuppressed(importFailed);
                throw failure;
            }
        }
    }
}
