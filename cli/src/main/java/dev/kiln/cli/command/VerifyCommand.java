package dev.kiln.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.cli.ExitCodes;
import dev.kiln.cli.client.ServerResponseException;
import dev.kiln.cli.client.ServerUnreachableException;
import dev.kiln.cli.client.ServiceClient;
import dev.kiln.events.ImageReference;
import dev.kiln.support.registry.RegistryClient;
import dev.kiln.support.registry.RegistryException;
import dev.kiln.support.verify.CosignKeys;
import dev.kiln.support.verify.ImageVerifier;
import dev.kiln.support.verify.OpenPgpVerifier;
import dev.kiln.support.verify.SignatureVerifier;
import dev.kiln.support.tls.TrustedCas;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check an image's signatures: the cosign signatures (the sha256-<hex>.sig tag in the image's "
                + "registry) and the simple signatures in the lookaside store (signature-1, -2, …).",
                "One line per signature found, valid or INVALID with the reason. Exit 0 when at least one signature is "
                        + "valid, 1 when none is.",
                "Without --key/--openpgp-key the public keys come from the signing service (GET KEYS-URL/api/v1/keys)."})
public class VerifyCommand implements Callable<Integer> {
    public static final String DEFAULT_KEYS_URL = "http://localhost:8084";
    public static final String DEFAULT_LOOKASIDE = "http://localhost:8084/lookaside";

    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions serverOptions;

    @Parameters(index = "0", paramLabel = "REFERENCE",
            description = "REGISTRY/REPOSITORY[:TAG] or REGISTRY/REPOSITORY@sha256:HEX, e.g. localhost:5001/hello:1.0-1.")
    String reference;

    @Option(names = "--key", paramLabel = "FILE", description = "A cosign public key (PEM), repeatable.")
    List<Path> keys = new ArrayList<>();

    @Option(names = "--openpgp-key", paramLabel = "FILE", description = "An OpenPGP public key (armored or binary), repeatable.")
    List<Path> openPgpKeys = new ArrayList<>();

    @Option(names = "--lookaside", paramLabel = "URL",
            description = "The lookaside store of simple signatures. Default: env KILN_LOOKASIDE_URL, else " + DEFAULT_LOOKASIDE + ".")
    String lookaside;

    @Option(names = "--keys-url", paramLabel = "URL",
            description = "The signing service, asked for its public keys when no key is given. Default: env "
                    + "KILN_SIGNING_URL, else " + DEFAULT_KEYS_URL + ".")
    String keysUrl;

    @Option(names = "--registry-ca", paramLabel = "FILE",
            description = "A PEM file of the CAs that issued the registry's TLS certificate, trusted besides the "
                    + "system's (Kiln's ca.pem for ./kiln's registries). Default: env KILN_REGISTRY_CA.")
    Path registryCa;

    @Option(names = "--plain-http",
            description = "Reach the registry over plain HTTP instead of https (a registry without TLS).")
    boolean plainHttp;

    @Inject
    ObjectMapper json;

    @Override
    public Integer call() {
        ImageReference ref;
        try {
            ref = ImageReference.parse(reference);
            if (ref.registry() == null) {
                throw new IllegalArgumentException("'" + reference.strip() + "' names no registry: give "
                        + "REGISTRY/REPOSITORY[:TAG] or REGISTRY/REPOSITORY@sha256:…, e.g. localhost:5001/hello:1.0-1");
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid REFERENCE: " + e.getMessage());
        }
        String lookasideUrl = ServiceUrl.resolve(spec.commandLine(), lookaside, "--lookaside", "KILN_LOOKASIDE_URL",
                DEFAULT_LOOKASIDE, System.getenv());
        List<PublicKey> cosign = new ArrayList<>();
        List<PGPPublicKeyRing> pgp = new ArrayList<>();
        for (Path k : keys) {
            cosign.addAll(readKey(k, "--key", bytes -> CosignKeys.parsePem(new String(bytes, StandardCharsets.US_ASCII))));
        }
        for (Path k : openPgpKeys) {
            pgp.addAll(readKey(k, "--openpgp-key", OpenPgpVerifier::publicRings));
        }
        if (keys.isEmpty() && openPgpKeys.isEmpty()) {
            fetchKeys(cosign, pgp);
        }

        URI registryUrl = URI.create((plainHttp ? "http://" : "https://") + ref.registry());
        Optional<Path> ca = Optional.ofNullable(registryCa)
                .or(() -> Optional.ofNullable(System.getenv("KILN_REGISTRY_CA")).filter(v -> !v.isBlank()).map(Path::of));
        SSLContext tls;
        try {
            tls = TrustedCas.context(ca);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid --registry-ca: " + e.getMessage());
        }
        RegistryClient registry = new RegistryClient(ref.registry(), registryUrl, Optional.empty(), Optional.empty(),
                Duration.ofMinutes(10), tls);
        ImageVerifier.Report report;
        try {
            report = new ImageVerifier().verify(registry, ref.repository(), ref.tagOrDigestOrLatest(), cosign, pgp, Optional.of(lookasideUrl));
        } catch (IllegalArgumentException e) {
            throw new ServerResponseException(404, "Not found", e.getMessage());
        } catch (RegistryException e) {
            if (e.status() == 0) {
                throw ServerUnreachableException.registry(registryUrl.toString(), e.getMessage(), e);
            }
            throw new ServerResponseException(e.status(), "Registry " + ref.registry() + " answered HTTP " + e.status(), e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        report.problems().forEach(p -> err.println("kiln: warning: " + p));
        for (SignatureVerifier.Finding f : report.findings()) {
            out.println(line(f));
        }
        out.flush();
        if (report.findings().isEmpty()) {
            err.println("No signatures found for " + report.repository() + "@" + report.digest());
        } else if (!report.anyValid()) {
            err.println("No valid signature for " + report.repository() + "@" + report.digest());
        }
        err.flush();
        return report.anyValid() ? ExitCodes.OK : ExitCodes.NOT_VERIFIED;
    }

    /** {@code valid cosign SHA256:… localhost:5001/hello:1.0-1} or {@code INVALID cosign …: reason}. */
    static String line(SignatureVerifier.Finding f) {
        StringBuilder b = new StringBuilder(f.valid() ? "valid   " : "INVALID ").append(f.format());
        f.keyId().ifPresent(k -> b.append(" key ").append(k));
        f.signedReference().ifPresent(r -> b.append(" signs ").append(r));
        b.append(" (").append(f.location()).append(')');
        f.problem().ifPresent(p -> b.append(": ").append(p));
        return b.toString();
    }

    private <T> List<T> readKey(Path file, String option, java.util.function.Function<byte[], List<T>> parse) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + " cannot be read: " + e.getMessage());
        }
        try {
            List<T> parsed = parse.apply(bytes);
            if (parsed.isEmpty()) {
                throw new IllegalArgumentException("it holds no key");
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), option + " " + file + " is not a usable public key: " + e.getMessage());
        }
    }

    private void fetchKeys(List<PublicKey> cosign, List<PGPPublicKeyRing> pgp) {
        String base = ServiceUrl.resolve(spec.commandLine(), keysUrl, "--keys-url", "KILN_SIGNING_URL", DEFAULT_KEYS_URL,
                System.getenv());
        ServiceClient.Answer answer = new ServiceClient(base, null).get("/api/v1/keys");
        if (!answer.ok()) {
            throw answer.error();
        }
        JsonNode list;
        try {
            list = json.readTree(answer.body());
        } catch (IOException e) {
            throw new IllegalStateException("the signing service at " + base + " answered /api/v1/keys with no JSON: " + e.getMessage(), e);
        }
        for (JsonNode k : list) {
            if (k.hasNonNull("publicKeyPem")) {
                cosign.addAll(CosignKeys.parsePem(k.get("publicKeyPem").asText()));
            }
            if (k.hasNonNull("armoredPublicKey")) {
                pgp.addAll(OpenPgpVerifier.publicRings(k.get("armoredPublicKey").asText().getBytes(StandardCharsets.US_ASCII)));
            }
        }
    }
}
