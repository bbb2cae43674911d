package dev.kiln.qa.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Looks through every layer of a {@code docker save} archive for private keys and credential files. A file deleted by
 * a later layer still ships in the earlier one, so every layer counts.
 */
public final class SecretScanner {
    /** File names that are credentials whatever they contain. */
    static final Set<String> SECRET_NAMES = Set.of("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".netrc", "_netrc",
            ".git-credentials", ".pgpass");
    /** Path endings that are credential files. */
    static final List<String> SECRET_PATHS = List.of(".docker/config.json", ".aws/credentials", ".config/gcloud/credentials.db",
            ".kube/config");
    /** A PEM private key: the header followed by key material (or the headers of an encrypted key). */
    static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
            "-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\\r?\\n(?:[A-Za-z0-9+/=]{16}|Proc-Type:|Version:|Comment:)");
    private static final int MAX_FINDINGS = 10;

    private SecretScanner() {
    }

    /** One suspicious file: layer (the saved archive's directory), path, why. */
    public record Finding(String layer, String path, String reason) {
        @Override
        public String toString() {
            return "/" + path + " (" + reason + ", layer " + layer + ")";
        }
    }

    /** Scans the outer {@code docker save} tar; files larger than {@code maxFileBytes} are checked by name only. */
    public static List<Finding> scan(TarArchiveInputStream saved, long maxFileBytes) throws IOException {
        List<Finding> findings = new ArrayList<>();
        TarArchiveEntry outer;
        while ((outer = saved.getNextEntry()) != null) {
            if (!outer.isFile() || !outer.getName().endsWith("layer.tar")) {
                continue;
            }
            String layer = outer.getName().replaceAll("/?layer\\.tar$", "");
            layer = layer.length() > 12 ? layer.substring(0, 12) : layer;
            // the layer tar is read in place; not closed, which would close the outer archive
            TarArchiveInputStream inner = new TarArchiveInputStream(saved);
            scanLayer(layer, inner, maxFileBytes, findings);
        }
        return findings;
    }

    static void scanLayer(String layer, TarArchiveInputStream tar, long maxFileBytes, List<Finding> findings) throws IOException {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            String path = e.getName();
            while (path.startsWith("./") || path.startsWith("/")) {
                path = path.substring(path.startsWith("/") ? 1 : 2);
            }
            String base = path.substring(path.lastIndexOf('/') + 1);
            if (base.startsWith(".wh.") || e.isDirectory()) {
                continue;
            }
            String lower = path.toLowerCase(Locale.ROOT);
            if (SECRET_NAMES.contains(base.toLowerCase(Locale.ROOT))) {
                add(findings, new Finding(layer, path, "credential file name"));
            } else if (SECRET_PATHS.stream().anyMatch(p -> lower.equals(p) || lower.endsWith("/" + p))) {
                add(findings, new Finding(layer, path, "credential file"));
            } else if (e.isFile() && e.getSize() > 0 && e.getSize() <= maxFileBytes && containsPrivateKey(tar, e.getSize())) {
                add(findings, new Finding(layer, path, "PEM private key"));
            }
        }
    }

    private static void add(List<Finding> findings, Finding f) {
        if (findings.size() < MAX_FINDINGS) {
            findings.add(f);
        }
    }

    static boolean containsPrivateKey(InputStream in, long size) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) size);
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
            bytes.write(buf, 0, n);
        }
        // ISO-8859-1 maps every byte to one char: binaries are searched too
        return PEM_PRIVATE_KEY.matcher(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).find();
    }
}
