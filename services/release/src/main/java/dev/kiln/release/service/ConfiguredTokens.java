package dev.kiln.release.service;

import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Principal;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Tokens from configuration: {@code kiln.release.tokens=token1:release-engineer:alice,token2:maintainer:bob}. An entry
 * that is not {@code token:role:user} is ignored with a warning. Tokens are compared in constant time.
 */
@ApplicationScoped
@DefaultBean
public class ConfiguredTokens implements TokenAuthority {
    private static final Logger LOG = Logger.getLogger(ConfiguredTokens.class);

    private record Entry(byte[] token, Principal principal) {
    }

    private final List<Entry> entries = new ArrayList<>();

    public ConfiguredTokens(ReleaseConfig config) {
        for (String raw : config.release().tokens().orElse(List.of())) {
            String[] parts = raw.trim().split(":", 3);
            if (parts.length != 3 || parts[0].isBlank() || parts[1].isBlank() || parts[2].isBlank()) {
                LOG.warnf("ignoring a kiln.release.tokens entry that is not token:role:user (%d part(s))", parts.length);
                continue;
            }
            entries.add(new Entry(parts[0].getBytes(StandardCharsets.UTF_8), new Principal(parts[2], parts[1])));
        }
    }

    @Override
    public Optional<Principal> authenticate(String token) {
        if (token == null || token.isBlank()) {
            return Optional.empty();
        }
        byte[] given = token.getBytes(StandardCharsets.UTF_8);
        Principal found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.token(), given)) {
                found = e.principal();
            }
        }
        return Optional.ofNullable(found);
    }
}
