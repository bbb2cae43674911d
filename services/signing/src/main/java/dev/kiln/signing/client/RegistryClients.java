package dev.kiln.signing.client;

import dev.kiln.signing.config.SigningConfig;
import dev.kiln.support.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The registries this service signs for (candidate, production and release's further promotion targets), by the
 * address used in image references.
 */
@ApplicationScoped
public class RegistryClients {
    private final Map<String, RegistryClient> byAddress = new LinkedHashMap<>();

    @Inject
    public RegistryClients(SigningConfig config) {
        List<SigningConfig.Registry> trusted = new ArrayList<>(List.of(config.registry().candidate(),
                config.registry().production()));
        trusted.addAll(config.registry().targets().values());
        for (SigningConfig.Registry r : trusted) {
            byAddress.putIfAbsent(r.address(), r.client());
        }
    }

    /** The client of a trusted registry; empty for any other registry. */
    public Optional<RegistryClient> forAddress(String address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    public Set<String> trusted() {
        return byAddress.keySet();
    }
}
