package dev.kiln.containerbuild.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The package list of an image from its package databases, as package URLs without namespace:
 * {@code pkg:deb/bash@5.2.15-2+b2}, {@code pkg:apk/musl@1.2.4-r2}.
 */
public final class ContentManifest {
    public static final String DPKG_STATUS = "/var/lib/dpkg/status";
    public static final String APK_INSTALLED = "/lib/apk/db/installed";

    private ContentManifest() {
    }

    /** Installed packages from a dpkg {@code status} file (stanzas with {@code Status: install ok installed}). */
    public static List<String> fromDpkgStatus(String status) {
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
                result.add("pkg:deb/" + name + "@" + version);
            }
        }
        return result;
    }

    /** Installed packages from an apk {@code installed} database ({@code P:} name, {@code V:} version). */
    public static List<String> fromApkInstalled(String installed) {
        List<String> result = new ArrayList<>();
        String name = null;
        String version = null;
        for (String line : (installed + "\n\n").split("\\r?\\n", -1)) {
            if (line.isBlank()) {
                if (name != null && version != null) {
                    result.add("pkg:apk/" + name + "@" + version);
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
}
