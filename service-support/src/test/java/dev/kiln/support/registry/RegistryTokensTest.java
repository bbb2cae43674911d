package dev.kiln.support.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.support.registry.RegistryTokens.Scope;
import dev.kiln.support.tls.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Scopes as clients send them, and a token a registry can check: signature, chain, claims. */
class RegistryTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aScopeNameMayHoldAHostAndPort() {
        Scope s = Scope.parse("repository:localhost:5000/hello:pull,push");
        assertEquals("repository", s.type());
        assertEquals("localhost:5000/hello", s.name());
        assertEquals(Set.of("pull", "push"), s.actions());
        assertEquals(Set.of("pull"), s.only(Set.of("pull", "delete")).actions());
        assertEquals(Set.of("*"), Scope.parse("registry:catalog:*").actions());
        for (String bad : List.of("", "repository", "repository:hello", "repository::pull", "repository:hello:",
                "Repository:hello:pull", "repository:hello:pull,", "repository:hello:PUSH")) {
            assertThrows(IllegalArgumentException.class, () -> Scope.parse(bad), bad);
        }
    }

    @Test
    void aTokenIsSignedByTheSignerWithItsChainAndSaysWhatWasGranted() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test CA", Duration.ofDays(1));
        CertificateAuthority.Issued signer = ca.issueClient("kiln-registry-tokens", Duration.ofDays(1));
        Instant now = Instant.parse("2026-12-04T10:00:00Z");
        String jwt = new RegistryTokens(signer, "kiln").mint("kiln-candidate", "registry-push",
                List.of(Scope.parse("repository:hello:pull,push")), now, Duration.ofMinutes(5));
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length);
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        assertEquals("RS256", header.get("alg").asText());
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        X509Certificate leaf = (X509Certificate) x509.generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(header.get("x5c").get(0).asText())));
        X509Certificate root = (X509Certificate) x509.generateCertificate(
                new ByteArrayInputStream(Base64.getDecoder().decode(header.get("x5c").get(1).asText())));
        assertEquals(signer.certificate(), leaf);
        leaf.verify(root.getPublicKey());
        assertEquals(ca.certificate(), root);
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(leaf.getPublicKey());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(rsa.verify(Base64.getUrlDecoder().decode(parts[2])), "the signature checks with the x5c leaf");

        JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
        assertEquals("kiln", claims.get("iss").asText());
        assertEquals("kiln-candidate", claims.get("aud").asText());
        assertEquals("registry-push", claims.get("sub").asText());
        assertEquals(now.getEpochSecond() + 300, claims.get("exp").asLong());
        assertEquals("[{\"type\":\"repository\",\"name\":\"hello\",\"actions\":[\"pull\",\"push\"]}]",
                claims.get("access").toString());
    }
}
