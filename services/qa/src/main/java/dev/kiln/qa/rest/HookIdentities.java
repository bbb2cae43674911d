package dev.kiln.qa.rest;

import dev.kiln.qa.service.HookResults;
import dev.kiln.support.auth.TokenIdentities;
import dev.kiln.support.auth.TokenIdentity;
import dev.kiln.support.rest.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * qa's hook tokens ({@code kiln.qa.hook-tokens}) for service-support's bearer-token mechanism: a hook's token is an
 * identity named after the hook, with role {@value #ROLE}. 401 without a bearer token, 403 for a token that is not a
 * hook's.
 */
@ApplicationScoped
public class HookIdentities implements TokenIdentities {
    public static final String ROLE = "hook";

    private final HookResults hooks;

    public HookIdentities(HookResults hooks) {
        this.hooks = hooks;
    }

    @Override
    public String realm() {
        return "kiln-qa";
    }

    @Override
    public TokenIdentity identify(String token) {
        String hook = hooks.hookFor(token).orElseThrow(() -> new ProblemException(403, "Forbidden",
                "the token is not one of qa's hook tokens (kiln.qa.hook-tokens)"));
        return new TokenIdentity(hook, Set.of(ROLE), hook);
    }

    @Override
    public ProblemException missingToken(Set<String> roles) {
        return new ProblemException(401, "Unauthorized", "send the hook's token as Authorization: Bearer <token>");
    }

    @Override
    public ProblemException forbidden(TokenIdentity who, Set<String> roles) {
        return new ProblemException(403, "Forbidden", who.name() + " may not do this: only hooks report results here");
    }
}
