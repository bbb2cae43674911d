package dev.kiln.events;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A content digest as OCI and distribution write it: {@code sha256:<64 lower-case hex>} (or {@code sha512:<128>}).
 * The one place a digest is checked; events carry its text ({@link #toString}).
 */
public record Digest(String algorithm, String hex) {
    private static final Pattern TEXT = Pattern.compile("(sha256):([0-9a-f]{64})|(sha512):([0-9a-f]{128})");

    public Digest {
        if (!TEXT.matcher(algorithm + ":" + hex).matches()) {
            throw new IllegalArgumentException("not a digest: " + algorithm + ":" + hex);
        }
    }

    /** The digest written as {@code algorithm:hex}; a sentence naming what is wrong otherwise. */
    public static Digest parse(String text) {
        return find(text).orElseThrow(() -> new IllegalArgumentException("a digest is sha256:<64 lower-case hex "
                + "digits>" + (text == null ? "" : ", not " + excerpt(text))));
    }

    /** The digest written as {@code algorithm:hex}, or empty. */
    public static Optional<Digest> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = TEXT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) != null ? new Digest(m.group(1), m.group(2)) : new Digest(m.group(3), m.group(4)));
    }

    public static boolean isDigest(String text) {
        return text != null && TEXT.matcher(text).matches();
    }

    /** True for {@code sha256:<64 lower-case hex>}, the only algorithm Kiln writes. */
    public static boolean isSha256(String text) {
        return isDigest(text) && text.startsWith("sha256:");
    }

    /** The sha256 digest of {@code bytes}. */
    public static Digest sha256(byte[] bytes) {
        try {
            return new Digest("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Digest sha256(String text) {
        return sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code sha256-<hex>}: the tag cosign's layout gives a digest's signatures, attestations and SBOM. */
    public String tagForm() {
        return algorithm + "-" + hex;
    }

    @Override
    public String toString() {
        return algorithm + ":" + hex;
    }

    private static String excerpt(String text) {
        String t = text.length() > 80 ? text.substring(0, 80) + "…" : text;
        return "\"" + t.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
