package dev.kiln.support.auth;

import dev.kiln.support.rest.BearerToken;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.Set;

/**
 * The one way a Kiln service reads bearer tokens: {@code Authorization: Bearer <token>} becomes a Quarkus Security
 * identity through {@link TokenIdentityProvider} and the service's {@link TokenIdentities}. A service with tokens sets
 * {@code quarkus.http.auth.proactive=false}, so authentication runs only for endpoints that need an identity, before
 * their body is read. A request without a bearer token is anonymous; a service without {@link TokenIdentities} has no
 * tokens.
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {
    @Inject
    Instance<TokenIdentities> identities;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager manager) {
        Optional<String> token = BearerToken.from(context.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token.isEmpty() || !identities.isResolvable()) {
            return Uni.createFrom().optional(Optional.empty());
        }
        return manager.authenticate(new TokenAuthenticationRequest(new TokenCredential(token.get(), "bearer")));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", challenge()));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }

    private String challenge() {
        return challenge(identities.isResolvable() ? identities.get().realm() : "kiln");
    }

    /** The {@code WWW-Authenticate} value of a 401 in {@code realm}. */
    static String challenge(String realm) {
        return "Bearer realm=\"" + realm + "\"";
    }
}
