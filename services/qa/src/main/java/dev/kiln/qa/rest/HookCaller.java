package dev.kiln.qa.rest;

import dev.kiln.support.auth.TokenIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** The hook of the current request, as {@link HookIdentities} named its token. */
@RequestScoped
public class HookCaller {
    @Inject
    SecurityIdentity identity;

    public String hook() {
        return TokenIdentity.of(identity).details(String.class);
    }
}
