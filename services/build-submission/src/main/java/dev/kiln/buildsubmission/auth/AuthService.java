package dev.kiln.buildsubmission.auth;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.domain.Component;
import dev.kiln.buildsubmission.domain.Role;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.buildsubmission.store.AuthStore;
import dev.kiln.buildsubmission.store.Transactions;
import dev.kiln.support.text.Excerpt;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Tokens, roles, components and their owners. A token is sent as {@code Authorization: Bearer <token>}; only its
 * SHA-256 is stored. The optional bootstrap admin token ({@code kiln.auth.bootstrap-admin-token}) is accepted as user
 * {@code admin} with role admin.
 */
@ApplicationScoped
public class AuthService {
    private static final Logger LOG = Logger.getLogger(AuthService.class);
    public static final String BOOTSTRAP_USER = "admin";
    public static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]*");
    public static final Pattern COMPONENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** At most this many tokens are listed. */
    private static final int TOKENS_LISTED = 1000;

    /** A freshly made token: {@code token} is shown once and never stored. */
    public record NewToken(String id, String token, String user, Role role, String description, Instant createdAt) {
    }

    private final Transactions tx;
    private final AuthStore store;
    private final byte[] bootstrapHash;
    private final KilnConfig.Limits limits;

    public AuthService(KilnConfig config, Transactions tx, AuthStore store) {
        this.tx = tx;
        this.limits = config.limits();
        this.store = store;
        this.bootstrapHash = config.auth().bootstrapAdminToken().filter(t -> !t.isBlank())
                .map(t -> sha256(t.strip())).orElse(null);
        if (bootstrapHash != null) {
            LOG.info("a bootstrap admin token is configured (kiln.auth.bootstrap-admin-token): it acts as user 'admin'");
        }
    }

    /** The caller a bearer token stands for; empty for a token this hub does not know. */
    public Optional<Caller> identify(String token) {
        byte[] hash = sha256(token.strip());
        if (bootstrapHash != null && MessageDigest.isEqual(hash, bootstrapHash)) {
            return Optional.of(new Caller(BOOTSTRAP_USER, Role.ADMIN));
        }
        return tx.inTransaction(c -> store.callerByTokenHash(c, HexFormat.of().formatHex(hash)));
    }

    // ---- tokens ----

    public NewToken createToken(Caller admin, String user, String role, String description) {
        String u = checkUser(user, "user");
        Role r = Role.fromWire(role).orElseThrow(() -> SubmissionException.invalid("Invalid role",
                "role must be one of maintainer, release-engineer, admin, service; got " + Excerpt.of(role)));
        if (description != null && description.length() > limits.textLength()) {
            throw SubmissionException.invalid("Too long", "description is " + description.length() + " characters "
                    + "long; at most " + limits.textLength() + " are allowed (kiln.limits.text-length)");
        }
        String token = "kiln_" + Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(32));
        String id = UUID.randomUUID().toString();
        Instant now = Instant.now();
        String desc = description == null || description.isBlank() ? null : description.strip();
        tx.inTransaction(c -> {
            store.insertToken(c, id, HexFormat.of().formatHex(sha256(token)), u, r, desc, admin.user(), now);
            return null;
        });
        LOG.infof("%s created token %s for %s (%s)", admin.user(), id, u, r);
        return new NewToken(id, token, u, r, desc, now);
    }

    /** The tokens, newest first, without the tokens themselves; revoked ones only when asked. */
    public List<AuthStore.TokenRecord> tokens(boolean withRevoked) {
        return tx.inTransaction(c -> store.tokens(c, withRevoked, TOKENS_LISTED));
    }

    /**
     * Revokes a token: from now on it stands for nobody here (release, which keeps the hub's answers briefly, follows
     * within its cache time). Revoking a revoked token changes nothing; an unknown id is 404.
     */
    public AuthStore.TokenRecord revokeToken(Caller admin, String id) {
        return tx.inTransaction(c -> {
            AuthStore.TokenRecord found = store.token(c, id).orElseThrow(() -> SubmissionException.notFound(
                    "Unknown token", "no token has id " + Excerpt.of(id) + "; kiln token list shows the ids"));
            if (store.revokeToken(c, id, admin.user(), Instant.now())) {
                LOG.infof("%s revoked token %s of %s (%s)", admin.user(), id, found.user(), found.role());
            }
            return store.token(c, id).orElseThrow();
        });
    }

    // ---- components ----

    public Component addComponent(Caller admin, String name, List<String> owners) {
        String n = checkComponent(name);
        List<String> o = checkOwners(owners);
        return tx.inTransaction(c -> {
            if (!store.insertComponent(c, n, admin.user(), Instant.now())) {
                throw SubmissionException.conflict("Component exists", "component " + n + " is already registered; "
                        + "change its owners with PUT /api/v1/components/" + n + "/owners (kiln component owners)");
            }
            store.setOwners(c, n, o);
            return store.component(c, n, false).orElseThrow();
        });
    }

    public Component setOwners(Caller admin, String name, List<String> owners) {
        String n = checkComponent(name);
        List<String> o = checkOwners(owners);
        return tx.inTransaction(c -> {
            if (store.component(c, n, true).isEmpty()) {
                throw notRegistered(n, null);
            }
            store.setOwners(c, n, o);
            LOG.infof("%s set the owners of %s to %s", admin.user(), n, o);
            return store.component(c, n, false).orElseThrow();
        });
    }

    public List<Component> components() {
        return tx.inTransaction(store::components);
    }

    public Optional<Component> component(String name) {
        return tx.inTransaction(c -> store.component(c, name, false));
    }

    /**
     * May {@code caller} build {@code component}? Runs inside the submission's transaction. Admins may build
     * anything, and an admin's build of an unknown component registers it with the admin as owner; release
     * engineers may build any registered component; maintainers only the ones they own.
     */
    public void authorizeBuild(Connection c, Caller caller, String component) throws SQLException {
        refuseService(caller, "build");
        Optional<Component> found = store.component(c, component, false);
        if (found.isEmpty()) {
            if (caller.isAdmin()) {
                if (store.insertComponent(c, component, caller.user(), Instant.now())) {
                    store.setOwners(c, component, List.of(caller.user()));
                    LOG.infof("component %s registered by %s's build", component, caller.user());
                }
                return;
            }
            throw notRegistered(component, caller.user());
        }
        if (caller.role() == Role.MAINTAINER && !found.get().owners().contains(caller.user())) {
            throw SubmissionException.forbidden("Not an owner", caller.user() + " does not own component " + component
                    + " (owners: " + String.join(", ", found.get().owners()) + "); ask an owner or an admin to add you: "
                    + "kiln component owners " + component + " " + caller.user());
        }
    }

    /** May {@code caller} cancel a build of {@code component} that {@code requester} submitted? */
    public void authorizeCancel(Caller caller, String component, String requester) {
        refuseService(caller, "cancel");
        if (caller.role() != Role.MAINTAINER || caller.user().equals(requester)) {
            return;
        }
        boolean owner = component(component).map(comp -> comp.owners().contains(caller.user())).orElse(false);
        if (!owner) {
            throw SubmissionException.forbidden("Not allowed to cancel", caller.user() + " may cancel only their own "
                    + "builds and builds of components they own; this build of " + component + " was submitted by "
                    + requester);
        }
    }

    /** A service's robot token reads and pulls; it never builds or cancels. */
    private static void refuseService(Caller caller, String what) {
        if (caller.role() == Role.SERVICE) {
            throw SubmissionException.forbidden("Service token", caller.user() + "'s token is a service's (role"
                    + " service): it may not " + what + " builds; use a maintainer's or release engineer's token");
        }
    }

    private static SubmissionException notRegistered(String component, String user) {
        return SubmissionException.notFound("Unknown component", "component " + component + " is not registered; "
                + "ask an admin: kiln component add " + component + " --owner " + (user == null ? "<user>" : user));
    }

    /** A component name: 1 to kiln.limits.field-length letters, digits and . _ + -, starting with a letter or digit. */
    public String checkComponent(String name) {
        int max = limits.fieldLength();
        if (name == null || name.strip().length() > max || !COMPONENT.matcher(name.strip()).matches()) {
            throw SubmissionException.invalid("Invalid component", "a component name has 1 to " + max + " letters, "
                    + "digits and . _ + - (starting with a letter or digit; kiln.limits.field-length); got "
                    + Excerpt.of(name));
        }
        return name.strip();
    }

    /** A user name: 1 to kiln.limits.field-length letters, digits and . _ @ + -, starting with a letter or digit. */
    public String checkUser(String user, String what) {
        int max = limits.fieldLength();
        if (user == null || user.strip().length() > max || !USER.matcher(user.strip()).matches()) {
            throw SubmissionException.invalid("Invalid user", what + " must be 1 to " + max + " letters, digits and "
                    + ". _ @ + - (starting with a letter or digit; kiln.limits.field-length); got " + Excerpt.of(user));
        }
        return user.strip();
    }

    private List<String> checkOwners(List<String> owners) {
        if (owners == null || owners.isEmpty()) {
            throw SubmissionException.invalid("No owners", "name at least one owner: \"owners\": [\"alice\"]");
        }
        if (owners.size() > limits.maxOwners()) {
            throw SubmissionException.invalid("Too many owners", "a component may have at most " + limits.maxOwners()
                    + " owners (kiln.limits.max-owners); got " + owners.size());
        }
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String o : owners) {
            out.add(checkUser(o, "owner"));
        }
        return List.copyOf(out);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
