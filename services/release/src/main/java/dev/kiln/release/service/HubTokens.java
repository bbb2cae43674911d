package dev.kiln.release.service;

import dev.kiln.release.client.HubClient;
import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Principal;
import dev.kiln.support.auth.IdentityCache;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import java.util.Optional;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Tokens are the hub's: release asks {@code GET /api/v1/whoami} at {@code kiln.hub.url} and keeps the answer for
 * {@code kiln.hub.identity-cache-ttl} (at most {@code kiln.hub.identity-cache-size} answers). A failure to reach the
 * hub is never kept.
 */
@ApplicationScoped
public class HubTokens implements TokenAuthority {
    private static final Logger LOG = Logger.getLogger(HubTokens.class);

    private final HubClient hub;
    private final String hubUrl;
    private final IdentityCache<Principal> cache;

    public HubTokens(@RestClient HubClient hub, ReleaseConfig config) {
        this.hub = hub;
        this.hubUrl = config.hub().url();
        this.cache = new IdentityCache<>(config.hub().identityCacheTtl(), config.hub().identityCacheSize());
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        return cache.lookup(token, this::ask);
    }

    private Optional<Principal> ask(String token) {
        HubClient.WhoAmI who;
        try {
            who = hub.whoami("Bearer " + token);
        } catch (WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status == 401) {
                return Optional.empty();
            }
            LOG.warnf("the hub at %s answered whoami with HTTP %d", hubUrl, status);
            throw new HubUnavailableException("the hub at " + hubUrl + " answered HTTP " + status, e);
        } catch (ProcessingException e) {
            LOG.warnf("the hub at %s cannot be reached: %s", hubUrl, e.getMessage());
            throw new HubUnavailableException("the hub at " + hubUrl + " cannot be reached", e);
        }
        if (who == null || who.user() == null || who.role() == null) {
            throw new HubUnavailableException("the hub at " + hubUrl + " answered whoami without a user and role", null);
        }
        return Optional.of(new Principal(who.user(), who.role()));
    }
}
