package dev.kiln.release.client;

import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.support.registry.RegistryClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The candidate registry (promotion source) and the production registry (promotion target). */
@ApplicationScoped
public class RegistryClients {
    private final RegistryClient candidate;
    private final RegistryClient production;

    @Inject
    public RegistryClients(ReleaseConfig config) {
        candidate = RegistryClient.anonymous(config.registry().candidate().address(), config.registry().candidate().url());
        production = RegistryClient.anonymous(config.registry().production().address(), config.registry().production().url());
    }

    public RegistryClient candidate() {
        return candidate;
    }

    public RegistryClient production() {
        return production;
    }
}
