package dev.kiln.support.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The containers/image "atomic container signature" payload, signed as an OpenPGP message, and its lookaside layout
 * ({@code <base>/<repository>@sha256=<hex>/signature-N}, N from 1).
 */
public final class SimpleSigningFormat {
    public static final String SIGNATURE_TYPE = "atomic container signature";
    public static final String FORMAT = "simple-signing";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SimpleSigningFormat() {
    }

    public static byte[] payload(String dockerReference, String digest, Instant time) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.put("type", SIGNATURE_TYPE);
        critical.putObject("image").put("docker-manifest-digest", digest);
        critical.putObject("identity").put("docker-reference", dockerReference);
        ObjectNode optional = root.putObject("optional");
        optional.put("creator", CosignFormat.CREATOR);
        optional.put("timestamp", time.getEpochSecond());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * What a payload names, read as strictly as containers/image does: {@code critical} holds exactly {@code type},
     * {@code image} and {@code identity}, each with exactly its one field. Empty for anything else.
     */
    public static Optional<CosignFormat.Identity> identity(byte[] payload) {
        try {
            JsonNode root = JSON.readTree(payload);
            JsonNode critical = root.path("critical");
            if (!onlyFields(critical, Set.of("type", "image", "identity")) || !SIGNATURE_TYPE.equals(critical.path("type").asText())
                    || !onlyFields(critical.path("image"), Set.of("docker-manifest-digest"))
                    || !onlyFields(critical.path("identity"), Set.of("docker-reference"))
                    || !critical.path("image").path("docker-manifest-digest").isTextual()
                    || !critical.path("identity").path("docker-reference").isTextual()) {
                return Optional.empty();
            }
            return Optional.of(new CosignFormat.Identity(critical.path("identity").path("docker-reference").asText(),
                    critical.path("image").path("docker-manifest-digest").asText()));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean onlyFields(JsonNode node, Set<String> fields) {
        if (!node.isObject() || node.size() != fields.size()) {
            return false;
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            if (!fields.contains(names.next())) {
                return false;
            }
        }
        return true;
    }

    /** {@code <base>/<repository>@sha256=<hex>/signature-<index>}. */
    public static String lookasideUrl(String base, String repository, String digest, int index) {
        String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return trimmed + "/" + lookasidePath(repository, digest, index);
    }

    public static String lookasidePath(String repository, String digest, int index) {
        int colon = digest.indexOf(':');
        return repository + "@" + digest.substring(0, colon) + "=" + digest.substring(colon + 1) + "/signature-" + index;
    }

    /** A parsed lookaside path. */
    public record LookasidePath(String repository, String digest, int index) {
    }

    /** Parses {@code <repository>@sha256=<hex>/signature-<N>}; empty for anything else. */
    public static Optional<LookasidePath> parseLookasidePath(String path) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^/?([a-z0-9][a-z0-9._/-]*)@sha256=([0-9a-f]{64})/signature-([1-9][0-9]{0,8})$").matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new LookasidePath(m.group(1), "sha256:" + m.group(2), Integer.parseInt(m.group(3))));
    }
}
