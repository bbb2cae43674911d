package dev.kiln.buildsubmission.registry;

import dev.kiln.buildsubmission.auth.AuthService;
import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.domain.Caller;
import dev.kiln.buildsubmission.registry.RegistryAccess.Registry;
import dev.kiln.buildsubmission.service.SubmissionException;
import dev.kiln.support.registry.RegistryTokens;
import dev.kiln.support.registry.RegistryTokens.Scope;
import dev.kiln.support.text.Excerpt;
import dev.kiln.support.tls.CertificateAuthority;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * The registries' token realm: checks who asks (HTTP Basic, the password a Kiln token, as {@code docker login}
 * sends it; no credentials for an anonymous pull), grants what {@link RegistryAccess} allows of the scopes asked and
 * signs the token ({@link RegistryTokens}). What is not allowed is left out of the token, not refused: the registry
 * then answers the client's request with 401 {@code insufficient_scope}, as every registry does.
 */
@ApplicationScoped
public class RegistryTokenService {
    private static final Logger LOG = Logger.getLogger(RegistryTokenService.class);
    /** At most this many scopes in one request (docker asks for one or two). */
    static final int MAX_SCOPES = 16;

    /** A token as the realm answers it. */
    public record Issued(String token, Duration expiresIn, Instant issuedAt) {
    }

    private final AuthService auth;
    private final KilnConfig.RegistryTokens config;
    private final Optional<RegistryTokens> tokens;

    public RegistryTokenService(AuthService auth, KilnConfig config) {
        this.auth = auth;
        this.config = config.registryTokens();
        this.tokens = this.config.signerDir().map(dir -> {
            try {
                return new RegistryTokens(CertificateAuthority.Issued.read(Path.of(dir)), this.config.issuer());
            } catch (RuntimeException e) {
                throw new IllegalStateException("kiln.registry-tokens.signer-dir: " + e.getMessage(), e);
            }
        });
    }

    /** A token for {@code service} and {@code scopes}, for the caller the {@code Authorization} header names. */
    public Issued issue(String service, List<String> scopes, String account, String authorization) {
        RegistryTokens signer = tokens.orElseThrow(() -> SubmissionException.unavailable("No registry tokens",
                "this hub issues no registry tokens: set kiln.registry-tokens.signer-dir (KILN_REGISTRY_TOKENS_SIGNER_DIR)"
                        + " to a certificate from the CA the registries trust (docs/security.md)"));
        Registry registry = registry(service);
        Optional<Caller> caller = caller(authorization, account);
        List<Scope> granted = new ArrayList<>();
        for (Scope asked : parse(scopes)) {
            Scope scope = RegistryAccess.granted(caller, registry, asked, config.anonymousProductionPull());
            granted.add(scope);
            if (scope.actions().contains("push") || scope.actions().contains("delete")) {
                LOG.infof("registry token for %s: %s on %s:%s (%s)", caller.map(Caller::user).orElse("anonymous"),
                        String.join(",", new TreeSet<>(scope.actions())), service, scope.name(), scope.type());
            }
        }
        Instant now = Instant.now();
        String subject = caller.map(Caller::user).orElse("");
        return new Issued(signer.mint(service, subject, granted, now, config.ttl()), config.ttl(), now);
    }

    private Registry registry(String service) {
        if (config.candidate().equals(service)) {
            return Registry.CANDIDATE;
        }
        if (config.production().equals(service)) {
            return Registry.PRODUCTION;
        }
        throw SubmissionException.invalid("Unknown registry", "service must be " + config.candidate() + " or "
                + config.production() + " (the registries' auth.token.service), got " + Excerpt.of(service));
    }

    /** Every scope asked ({@code scope} may repeat, and may hold several separated by spaces). */
    private static List<Scope> parse(List<String> scopes) {
        List<Scope> out = new ArrayList<>();
        for (String param : scopes == null ? List.<String>of() : scopes) {
            for (String scope : param.strip().split(" +")) {
                if (scope.isEmpty()) {
                    continue;
                }
                if (scope.length() > 512 || out.size() == MAX_SCOPES) {
                    throw SubmissionException.invalid("Invalid scope", "at most " + MAX_SCOPES + " scopes of at most"
                            + " 512 characters each");
                }
                try {
                    out.add(Scope.parse(scope));
                } catch (IllegalArgumentException e) {
                    throw SubmissionException.invalid("Invalid scope", e.getMessage() + "; got " + Excerpt.of(scope));
                }
            }
        }
        return out;
    }

    /** The caller of Basic credentials (user, Kiln token); empty without an {@code Authorization} header. */
    private Optional<Caller> caller(String authorization, String account) {
        if (authorization == null || authorization.isBlank()) {
            return Optional.empty();
        }
        String[] parts = authorization.strip().split(" +", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Basic")) {
            throw SubmissionException.unauthorized("the registry token realm takes HTTP Basic credentials: your user"
                    + " name and a Kiln token as password (docker login -u <user> --password-stdin)");
        }
        String user;
        String token;
        try {
            String pair = new String(Base64.getDecoder().decode(parts[1]), StandardCharsets.UTF_8);
            int colon = pair.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no colon");
            }
            user = pair.substring(0, colon);
            token = pair.substring(colon + 1);
        } catch (IllegalArgumentException e) {
            throw SubmissionException.unauthorized("the Basic credentials are not base64 of <user>:<token>");
        }
        Caller caller = auth.identify(token).orElseThrow(() -> SubmissionException.unauthorized("the password is not"
                + " a token this hub knows (revoked, or mistyped): ask an admin for one (kiln token create)"));
        for (String named : new String[] {user, account}) {
            if (named != null && !named.isEmpty() && !named.equals(caller.user())) {
                throw SubmissionException.unauthorized("the token is " + caller.user() + "'s, not "
                        + Excerpt.of(named) + "'s: log in as " + caller.user());
            }
        }
        return Optional.of(caller);
    }
}
