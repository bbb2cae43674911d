package dev.kiln.buildsubmission.auth;

import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.support.auth.TokenIdentity;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** The caller of the current request, as {@link HubIdentities} named its token. */
@RequestScoped
public class RequestCaller {
    @Inject
    SecurityIdentity identity;

    public Caller get() {
        return TokenIdentity.of(identity).details(Caller.class);
    }
}
