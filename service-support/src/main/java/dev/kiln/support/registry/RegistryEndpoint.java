package dev.kiln.support.registry;

import dev.kiln.support.tls.TrustedCas;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One registry a service talks to, as its {@code kiln.registry.<name>.*} settings say: the address images are named
 * with, the URL, and who the service is to it. Kiln's registries take the service's name and its service token from
 * the hub ({@code kiln token create --role service}) as HTTP Basic credentials for their token realm. The services'
 * configuration interfaces extend it.
 */
public interface RegistryEndpoint {
    /** As written in image references, e.g. {@code localhost:5000}. */
    String address();

    /** How to reach it, e.g. {@code https://localhost:5000}. */
    URI url();

    /** The service's user name at the registry (its own name for Kiln's registries); none: anonymous. */
    Optional<String> username();

    /** Its password: for Kiln's registries, the service's token from the hub. */
    Optional<String> password();

    /**
     * A PEM file of the CAs to trust for its https URL besides the system's: Kiln's CA ({@code ca.pem}) for registries
     * whose certificates {@code kiln certs server} issued.
     */
    Optional<String> caFile();

    /** A client of this registry as this service. */
    default RegistryClient client() {
        return client(Duration.ofMinutes(10));
    }

    /** A client of this registry as this service whose requests may each wait {@code timeout} for an answer. */
    default RegistryClient client(Duration timeout) {
        return new RegistryClient(address(), url(), username(), password(), timeout,
                TrustedCas.context(caFile().map(Path::of)));
    }
}
