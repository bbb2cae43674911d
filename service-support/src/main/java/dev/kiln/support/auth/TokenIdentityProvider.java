package dev.kiln.support.auth;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/** Asks the service's {@link TokenIdentities} (off the event loop: it may read a database or call the hub). */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    @Inject
    Instance<TokenIdentities> identities;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            TokenIdentity identity = identities.get().identify(request.getToken().getToken());
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(identity.name()))
                    .addRoles(identity.roles())
                    .addAttribute(TokenIdentity.ATTRIBUTE, identity)
                    .build();
        });
    }
}
