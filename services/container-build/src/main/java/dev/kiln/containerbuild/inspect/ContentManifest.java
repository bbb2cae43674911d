package dev.kiln.containerbuild.inspect;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The package list of an image from its package databases, as package URLs: the component identifiers of a CycloneDX
 * SBOM ({@code pkg:deb/debian/bash@5.2.15-2%2Bb2}, {@code pkg:apk/alpine/musl@1.2.4-r2},
 * {@code pkg:rpm/fedora/bash@5.2.26-3.fc40?arch=x86_64}). An image without a package database (busybox) has none.
 */
public final class ContentManifest {
    public static final String DPKG_STATUS = "/var/lib/dpkg/status";
    public static final String APK_INSTALLED = "/lib/apk/db/installed";
    /** /etc/os-release is usually a symlink to the second. */
    public static final List<String> OS_RELEASE = List.of("/usr/lib/os-release", "/etc/os-release");

    private ContentManifest() {
    }

    /** Installed packages from a dpkg {@code status} file (stanzas with {@code Status: install ok installed}). */
    public static List<String> fromDpkgStatus(String status, String namespace) {
        List<String> result = new ArrayList<>();
        for (String stanza : status.split("\\r?\\n\\r?\\n")) {
            String name = null;
            String version = null;
            String state = null;
            for (String line : stanza.split("\\r?\\n")) {
                if (line.startsWith("Package:")) {
                    name = line.substring(8).trim();
                } else if (line.startsWith("Version:")) {
                    version = line.substring(8).trim();
                } else if (line.startsWith("Status:")) {
                    state = line.substring(7).trim();
                }
            }
            if (name != null && version != null && (state == null || state.endsWith(" installed"))) {
                result.add(purl("deb", namespace, name, version));
            }
        }
        return result;
    }

    /** Installed packages from an apk {@code installed} database ({@code P:} name, {@code V:} version). */
    public static List<String> fromApkInstalled(String installed, String namespace) {
        List<String> result = new ArrayList<>();
        String name = null;
        String version = null;
        for (String line : (installed + "\n\n").split("\\r?\\n", -1)) {
            if (line.isBlank()) {
                if (name != null && version != null) {
                    result.add(purl("apk", namespace, name, version));
                }
                name = null;
                version = null;
            } else if (line.startsWith("P:")) {
                name = line.substring(2).trim();
            } else if (line.startsWith("V:")) {
                version = line.substring(2).trim();
            }
        }
        return result;
    }

    /**
     * Installed rpm packages as {@code pkg:rpm/<namespace>/<name>@<version>-<release>?arch=<arch>&epoch=<n>} (the purl
     * specification's rpm type: the vendor, i.e. the os-release {@code ID}, as namespace, left out when unknown;
     * qualifiers in key order, {@code epoch} only when the package has one).
     */
    public static List<String> fromRpm(List<RpmHeader> packages, String namespace) {
        List<String> result = new ArrayList<>();
        for (RpmHeader p : packages) {
            StringBuilder purl = new StringBuilder("pkg:rpm/");
            if (namespace != null) {
                purl.append(encode(namespace)).append('/');
            }
            purl.append(encode(p.name())).append('@').append(encode(p.version() + "-" + p.release()));
            String separator = "?";
            if (p.arch() != null) {
                purl.append(separator).append("arch=").append(encode(p.arch()));
                separator = "&";
            }
            if (p.epoch() != null) {
                purl.append(separator).append("epoch=").append(p.epoch());
            }
            result.add(purl.toString());
        }
        return result;
    }

    /** {@code ID=} of an os-release file, lower case, unquoted; null when absent. */
    public static String osReleaseId(String osRelease) {
        for (String line : osRelease.split("\\r?\\n")) {
            if (line.startsWith("ID=")) {
                String v = line.substring(3).strip().replace("\"", "").replace("'", "").toLowerCase(Locale.ROOT);
                return v.matches("[a-z0-9._-]+") ? v : null;
            }
        }
        return null;
    }

    /** A package URL; name and version percent-encoded as the purl specification asks (a {@code :} epoch stays). */
    static String purl(String type, String namespace, String name, String version) {
        return "pkg:" + type + "/" + encode(namespace) + "/" + encode(name) + "@" + encode(version).replace("%3A", ":");
    }

    /** Percent-encoding as the purl specification asks: letters, digits and {@code .-_~} stay as they are. */
    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20").replace("%7E", "~");
    }
}
