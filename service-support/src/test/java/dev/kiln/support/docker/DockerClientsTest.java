package dev.kiln.support.docker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which daemon addresses production accepts: only {@code tcp://} with a client certificate directory. */
class DockerClientsTest {
    private static final Optional<String> CERTS = Optional.of("/etc/kiln/certs/client");

    @Test
    void onlyTcpWithClientCertificatesIsMutualTls() {
        assertTrue(DockerClients.isMutualTls("tcp://builder-1:2376", CERTS));
        assertFalse(DockerClients.isMutualTls("tcp://builder-1:2376", Optional.empty()));
        assertFalse(DockerClients.isMutualTls("tcp://builder-1:2376", Optional.of(" ")));
        assertFalse(DockerClients.isMutualTls("unix:///var/run/docker.sock", CERTS));
        assertFalse(DockerClients.isMutualTls(null, CERTS));
    }

    @Test
    void anInsecureDaemonIsRefusedUnlessTheDevelopmentProfileAllowsIt() {
        assertFalse(DockerClients.checkMutualTls("tcp://builder-1:2376", CERTS, false), "mutual TLS: not insecure");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DockerClients.checkMutualTls("unix:///var/run/docker.sock", CERTS, false));
        assertTrue(e.getMessage().contains("kiln.docker.cert-path") && e.getMessage().contains("unix:///var/run/docker.sock"),
                e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> DockerClients.checkMutualTls("tcp://builder-1:2376", Optional.empty(), false));
        assertTrue(DockerClients.checkMutualTls("unix:///var/run/docker.sock", Optional.empty(), true), "allowed, insecure");
    }
}
