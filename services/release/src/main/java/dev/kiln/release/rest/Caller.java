package dev.kiln.release.rest;

import dev.kiln.release.domain.Principal;
import dev.kiln.support.auth.TokenIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** The principal of the current request, as the hub named its token ({@link ReleaseIdentities}). */
@RequestScoped
public class Caller {
    @Inject
    SecurityIdentity identity;

    public Principal principal() {
        return TokenIdentity.of(identity).details(Principal.class);
    }
}
