package dev.kiln.support.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Creates docker-java clients. A {@code tcp://} host is reached with mutual TLS when a certificate directory
 * ({@code ca.pem}, {@code cert.pem}, {@code key.pem}) is given; {@code unix://} is for development only.
 * The API version is pinned to 1.41 (dockerd 20.10), since docker-java does not negotiate.
 */
public final class DockerClients {
    public static final String API_VERSION = "1.41";

    private DockerClients() {
    }

    public static DockerClient create(String dockerHost, Optional<String> certPath) {
        return create(dockerHost, certPath, UnaryOperator.identity());
    }

    /**
     * What a daemon pulling from the registry {@code address} on a service's behalf sends it: the service's user name
     * and password there (for Kiln's registries its name and service token, which the daemon takes to the registry's
     * token realm); empty without a user name, for an anonymous pull.
     */
    public static Optional<AuthConfig> registryAuth(String address, Optional<String> username, Optional<String> password) {
        return username.filter(u -> !u.isBlank()).map(u -> new AuthConfig().withUsername(u)
                .withPassword(password.orElse("")).withRegistryAddress(address));
    }

    /** Whether {@code host} is reached with mutual TLS: a {@code tcp://} daemon and a client certificate directory. */
    public static boolean isMutualTls(String host, Optional<String> certPath) {
        return host != null && host.startsWith("tcp://") && certPath.filter(p -> !p.isBlank()).isPresent();
    }

    /**
     * Production reaches build daemons only with mutual TLS; a {@code unix://} socket or a {@code tcp://} daemon without
     * client certificates is for the development and test profiles, which set
     * {@code kiln.docker.allow-insecure-socket=true}. Throws {@link IllegalStateException} with a sentence an
     * administrator can act on when {@code host} is not reached with mutual TLS and that is not allowed; returns
     * whether the connection is insecure (so the caller can warn).
     */
    public static boolean checkMutualTls(String host, Optional<String> certPath, boolean allowInsecure) {
        if (isMutualTls(host, certPath)) {
            return false;
        }
        if (!allowInsecure) {
            throw new IllegalStateException("the Docker daemon " + host + " would be reached without mutual TLS: give a"
                    + " tcp://<daemon>:2376 address and kiln.docker.cert-path, a directory with ca.pem, cert.pem and"
                    + " key.pem (made by kiln certs), or allow it for development with"
                    + " kiln.docker.allow-insecure-socket=true");
        }
        return true;
    }

    /**
     * A client whose transport (mutual TLS included) is wrapped by {@code decorate}: for what docker-java's commands
     * cannot say, such as container-build's CPU quota on {@code POST /build}.
     */
    public static DockerClient create(String dockerHost, Optional<String> certPath,
            UnaryOperator<DockerHttpClient> decorate) {
        DefaultDockerClientConfig.Builder builder = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(dockerHost)
                .withApiVersion(API_VERSION);
        if (certPath.isPresent() && !certPath.get().isBlank()) {
            Path dir = Path.of(certPath.get());
            for (String f : new String[] {"ca.pem", "cert.pem", "key.pem"}) {
                if (!Files.isReadable(dir.resolve(f))) {
                    throw new IllegalStateException("Docker TLS directory " + dir + " has no readable " + f);
                }
            }
            builder.withDockerTlsVerify(true).withDockerCertPath(dir.toString());
        } else {
            builder.withDockerTlsVerify(false);
        }
        DockerClientConfig config = builder.build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost())
                .sslConfig(config.getSSLConfig())
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(10))
                .responseTimeout(Duration.ofHours(2))
                .build();
        return DockerClientImpl.getInstance(config, decorate.apply(http));
    }
}
