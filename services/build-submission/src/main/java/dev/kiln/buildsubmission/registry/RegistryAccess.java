package dev.kiln.buildsubmission.registry;

import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.domain.Role;
import dev.kiln.support.registry.RegistryTokens.Scope;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who may do what in Kiln's two registries: the one table behind every registry token the hub issues. Scopes are
 * per repository, not per tag, so a service that writes some tags of a repository may write all of them:
 * <ul>
 * <li>candidate: registry-push pushes the built images, signing pushes their signatures and attestations
 * ({@code sha256-<hex>.sig}/{@code .sbom}/{@code .att} tags beside them); every Kiln user and service may pull;
 * nobody pulls anonymously;</li>
 * <li>production: release pushes the promoted images and signing their signatures; everyone pulls, anonymously too
 * when the operator says so ({@code kiln.registry-tokens.anonymous-production-pull});</li>
 * <li>admins may pull, push and delete anywhere (the operator's base images); nobody else may push anywhere.</li>
 * </ul>
 */
public final class RegistryAccess {
    /** One of the two registries, by its {@code auth.token.service} name. */
    public enum Registry {
        CANDIDATE, PRODUCTION
    }

    static final Set<String> PULL = Set.of("pull");
    static final Set<String> PULL_PUSH = Set.of("pull", "push");
    static final Set<String> EVERYTHING = Set.of("pull", "push", "delete", "*");

    /** The services that push, and where: every other service (and user) only pulls. */
    static final Map<Registry, Set<String>> PUSHERS = Map.of(
            Registry.CANDIDATE, Set.of("registry-push", "signing"),
            Registry.PRODUCTION, Set.of("release", "signing"));

    private RegistryAccess() {
    }

    /** The actions of {@code asked} that {@code caller} (empty: anonymous) may have on {@code registry}. */
    public static Scope granted(Optional<Caller> caller, Registry registry, Scope asked, boolean anonymousProductionPull) {
        return asked.only(allowed(caller, registry, asked.type(), anonymousProductionPull));
    }

    static Set<String> allowed(Optional<Caller> caller, Registry registry, String type, boolean anonymousProductionPull) {
        if (caller.isEmpty()) {
            return registry == Registry.PRODUCTION && anonymousProductionPull && type.equals("repository") ? PULL : Set.of();
        }
        Caller who = caller.get();
        if (who.role() == Role.ADMIN) {
            return EVERYTHING; // the catalog too
        }
        if (!type.equals("repository")) {
            return Set.of();
        }
        if (who.role() == Role.SERVICE && PUSHERS.get(registry).contains(who.user())) {
            return PULL_PUSH;
        }
        return PULL;
    }
}
