package dev.kiln.release.client;

import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.support.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The candidate registry (promotion source) and the production registry (promotion target). */
@ApplicationScoped
public class RegistryClients {
    private final RegistryClient candidate;
    private final RegistryClient production;
    private final Map<String, RegistryClient> targets = new LinkedHashMap<>();

    @Inject
    public RegistryClients(ReleaseConfig config) {
        candidate = config.registry().candidate().client();
        production = config.registry().production().client();
        config.registry().targets().values().forEach(t -> targets.put(t.address(), t.client()));
    }

    public RegistryClient candidate() {
        return candidate;
    }

    public RegistryClient production() {
        return production;
    }

    /** The registry a promotion may go to by its address: production or one of {@code kiln.registry.targets}. */
    public Optional<RegistryClient> target(String address) {
        if (production.registry().equals(address)) {
            return Optional.of(production);
        }
        return Optional.ofNullable(targets.get(address));
    }

    /** The addresses promotions may go to. */
    public List<String> targetAddresses() {
        List<String> all = new ArrayList<>();
        all.add(production.registry());
        all.addAll(targets.keySet());
        return all;
    }
}
