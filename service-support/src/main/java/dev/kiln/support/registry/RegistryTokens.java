package dev.kiln.support.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.support.tls.CertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The issuing side of distribution's token authentication (the protocol of Docker Hub, Quay, GHCR and Harbor, and of
 * a distribution registry configured with {@code auth: token}): a client asks the realm for a token for a scope such
 * as {@code repository:hello:pull,push} and gets a JWT whose {@code access} claim lists what it may do, for at most
 * its {@code exp}. The JWT is signed RS256 by a key whose certificate and CA travel in the {@code x5c} header; the
 * registry trusts tokens whose chain ends in its {@code rootcertbundle} (Kiln's CA) and whose {@code iss} and
 * {@code aud} are the configured issuer and its own service name.
 */
public final class RegistryTokens {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();
    /** A scope's resource type and actions: lower-case words. */
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_-]*|\\*");

    /**
     * One scope asked for or granted: a resource ({@code repository} and its name, or {@code registry:catalog}) and
     * actions ({@code pull}, {@code push}, {@code delete}, {@code *}).
     */
    public record Scope(String type, String name, Set<String> actions) {
        public Scope {
            actions = Set.copyOf(new LinkedHashSet<>(actions));
        }

        /**
         * Parses {@code type:name:actions}; the name may hold colons (a registry host with a port). Throws
         * {@link IllegalArgumentException} with the rule for anything else.
         */
        public static Scope parse(String scope) {
            int first = scope == null ? -1 : scope.indexOf(':');
            int last = scope == null ? -1 : scope.lastIndexOf(':');
            if (first <= 0 || last <= first + 1 || last == scope.length() - 1) {
                throw new IllegalArgumentException("a scope reads <type>:<name>:<action>[,<action>], e.g."
                        + " repository:hello:pull,push");
            }
            String type = scope.substring(0, first);
            String name = scope.substring(first + 1, last);
            List<String> actions = Arrays.asList(scope.substring(last + 1).split(",", -1));
            if (!WORD.matcher(type).matches() || actions.stream().anyMatch(a -> !WORD.matcher(a).matches())) {
                throw new IllegalArgumentException("a scope's type and actions are lower-case words (repository,"
                        + " pull, push, delete, *)");
            }
            return new Scope(type, name, new LinkedHashSet<>(actions));
        }

        /** This scope with only {@code granted} of its actions. */
        public Scope only(Set<String> granted) {
            Set<String> kept = new LinkedHashSet<>(actions);
            kept.retainAll(granted);
            return new Scope(type, name, kept);
        }
    }

    private final CertificateAuthority.Issued signer;
    private final String issuer;

    /** Tokens signed by {@code signer} (a certificate from the CA the registries trust) and issued as {@code issuer}. */
    public RegistryTokens(CertificateAuthority.Issued signer, String issuer) {
        this.signer = signer;
        this.issuer = issuer;
    }

    public String issuer() {
        return issuer;
    }

    /**
     * A signed token for {@code audience} (the registry's service name), for {@code subject} (empty for an anonymous
     * caller), granting {@code access} from {@code now} for {@code ttl}.
     */
    public String mint(String audience, String subject, List<Scope> access, Instant now, Duration ttl) {
        ObjectNode header = JSON.createObjectNode();
        header.put("typ", "JWT");
        header.put("alg", "RS256");
        ArrayNode x5c = header.putArray("x5c");
        try {
            x5c.add(Base64.getEncoder().encodeToString(signer.certificate().getEncoded()));
            x5c.add(Base64.getEncoder().encodeToString(signer.ca().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the token signer's certificate: " + e.getMessage(), e);
        }
        long at = now.getEpochSecond();
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", issuer);
        claims.put("sub", subject == null ? "" : subject);
        claims.put("aud", audience);
        claims.put("exp", at + ttl.toSeconds());
        claims.put("nbf", at - 10);
        claims.put("iat", at);
        claims.put("jti", UUID.randomUUID().toString());
        ArrayNode granted = claims.putArray("access");
        for (Scope scope : access) {
            ObjectNode entry = granted.addObject();
            entry.put("type", scope.type());
            entry.put("name", scope.name());
            ArrayNode actions = entry.putArray("actions");
            new ArrayList<>(scope.actions()).stream().sorted().forEach(actions::add);
        }
        try {
            String signingInput = URL.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + URL.encodeToString(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(signer.key());
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + URL.encodeToString(rsa.sign());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the registry token: " + e.getMessage(), e);
        }
    }
}
