package dev.kiln.release.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.kiln.release.config.ReleaseConfig;
import dev.kiln.release.domain.Policy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Gating policies from {@code kiln.gating.policy-dir}: {@code <component>.yaml|.yml|.json} for one component, else
 * {@code default.*}, else the built-in default. Files are read at every evaluation (no restart to change a policy).
 * A file that exists but cannot be read or understood is an error, never a reason to fall back to a laxer policy:
 * the caller closes the gate.
 *
 * <pre>
 * id: hello-strict
 * required_test_cases: [kiln.image.starts, example.smoke]
 * signature_required: true
 * </pre>
 */
@ApplicationScoped
public class PolicyStore {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");
    private static final Set<String> FIELDS = Set.of("id", "required_test_cases", "requiredTestCases", "signature_required",
            "signatureRequired", "description");

    /** A policy that exists but cannot be used. */
    public static class PolicyException extends RuntimeException {
        public PolicyException(String message) {
            super(message);
        }
    }

    @Inject
    ReleaseConfig config;

    public PolicyStore() {
    }

    public PolicyStore(ReleaseConfig config) {
        this.config = config;
    }

    /** The policy that applies to {@code component}. */
    public Policy policyFor(String component) {
        Optional<String> dir = config.gating().policyDir().filter(d -> !d.isBlank());
        if (dir.isEmpty()) {
            return Policy.BUILT_IN;
        }
        Path directory = Path.of(dir.get());
        if (!Files.isDirectory(directory)) {
            throw new PolicyException("policy directory " + directory + " (kiln.gating.policy-dir) does not exist");
        }
        if (component != null && !component.equals(Policy.DEFAULT_ID)) {
            if (!component.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
                throw new PolicyException("component name '" + component + "' cannot name a policy file");
            }
            Optional<Path> own = find(directory, component);
            if (own.isPresent()) {
                return read(own.get());
            }
        }
        return find(directory, Policy.DEFAULT_ID).map(PolicyStore::read).orElse(Policy.BUILT_IN);
    }

    private static Optional<Path> find(Path directory, String name) {
        List<Path> found = new ArrayList<>();
        for (String ext : EXTENSIONS) {
            Path p = directory.resolve(name + ext);
            if (Files.exists(p)) {
                found.add(p);
            }
        }
        if (found.size() > 1) {
            throw new PolicyException("more than one policy file for " + name + ": " + found);
        }
        return found.stream().findFirst();
    }

    /** Parses one policy file (YAML; JSON is YAML too). */
    static Policy read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new PolicyException("policy " + file.getFileName() + " cannot be read: " + e.getMessage());
        }
        return parse(root, file.getFileName().toString());
    }

    static Policy parse(JsonNode root, String name) {
        if (root == null || !root.isObject()) {
            throw new PolicyException("policy " + name + " is not a mapping");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new PolicyException("policy " + name + " has an unknown field '" + field + "'");
            }
        }
        JsonNode id = root.get("id");
        if (id == null || !id.isTextual() || id.asText().isBlank()) {
            throw new PolicyException("policy " + name + " has no id");
        }
        JsonNode cases = root.has("required_test_cases") ? root.get("required_test_cases") : root.get("requiredTestCases");
        List<String> testCases = new ArrayList<>();
        if (cases != null && !cases.isNull()) {
            if (!cases.isArray()) {
                throw new PolicyException("policy " + name + ": required_test_cases is not a list");
            }
            for (JsonNode c : cases) {
                if (!c.isTextual() || !c.asText().matches("[a-z0-9]+([._-][a-z0-9]+)*")) {
                    throw new PolicyException("policy " + name + ": '" + c + "' is not a test case name");
                }
                testCases.add(c.asText());
            }
        }
        JsonNode signature = root.has("signature_required") ? root.get("signature_required") : root.get("signatureRequired");
        boolean signatureRequired = true;
        if (signature != null && !signature.isNull()) {
            if (!signature.isBoolean()) {
                throw new PolicyException("policy " + name + ": signature_required is not true or false");
            }
            signatureRequired = signature.asBoolean();
        }
        return new Policy(id.asText(), testCases, signatureRequired);
    }
}
