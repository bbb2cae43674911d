package dev.kiln.containerbuild.inspect;

import dev.kiln.containerbuild.client.ImageFiles;
import dev.kiln.support.source.Archives;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The content manifest of a built image, read from whichever package database it has (dpkg, apk, rpm sqlite) without
 * running it; the purl namespace is the image's os-release {@code ID}. An rpm database in a format Kiln does not read,
 * or one it cannot open, is reported through {@code note} and lists nothing: the build still completes.
 */
final class ImagePackages {
    private ImagePackages() {
    }

    static List<String> read(ImageFiles files, Consumer<String> note) throws IOException {
        String distro = osReleaseId(files);
        Optional<byte[]> dpkg = files.read(ContentManifest.DPKG_STATUS);
        if (dpkg.isPresent()) {
            return ContentManifest.fromDpkgStatus(new String(dpkg.get(), StandardCharsets.UTF_8),
                    distro == null ? "debian" : distro);
        }
        Optional<byte[]> apk = files.read(ContentManifest.APK_INSTALLED);
        if (apk.isPresent()) {
            return ContentManifest.fromApkInstalled(new String(apk.get(), StandardCharsets.UTF_8),
                    distro == null ? "alpine" : distro);
        }
        for (String path : RpmDatabase.SQLITE_PATHS) {
            Optional<List<String>> rpm = rpm(files, path, distro, note);
            if (rpm.isPresent()) {
                return rpm.get();
            }
        }
        for (String path : RpmDatabase.UNREAD_PATHS) {
            if (files.exists(path)) {
                note.accept("[kiln] content manifest: the rpm database " + path + " is in a format Kiln does not read"
                        + " (Berkeley DB or ndb; rpm 4.16 and later write rpmdb.sqlite): no packages listed");
                return List.of();
            }
        }
        return List.of();
    }

    /** The packages of the sqlite database at {@code path}; empty when the image has none there. */
    private static Optional<List<String>> rpm(ImageFiles files, String path, String distro, Consumer<String> note)
            throws IOException {
        Path dir = Files.createTempDirectory("kiln-rpmdb-");
        try {
            Path db = dir.resolve("rpmdb.sqlite");
            if (!files.copy(path, db)) {
                return Optional.empty();
            }
            // committed transactions rpm has not checkpointed yet live in the write-ahead log beside it
            files.copy(path + "-wal", dir.resolve("rpmdb.sqlite-wal"));
            try {
                return Optional.of(ContentManifest.fromRpm(RpmDatabase.installed(db), distro));
            } catch (SQLException e) {
                note.accept("[kiln] content manifest: the rpm database " + path + " cannot be read (" + e.getMessage()
                        + "): no packages listed");
                return Optional.of(List.of());
            }
        } finally {
            Archives.deleteTree(dir);
        }
    }

    /** {@code ID} of the image's os-release (the purl namespace: debian, ubuntu, alpine, fedora, rhel), or null. */
    private static String osReleaseId(ImageFiles files) {
        for (String path : ContentManifest.OS_RELEASE) {
            Optional<byte[]> f = files.read(path);
            if (f.isPresent()) {
                return ContentManifest.osReleaseId(new String(f.get(), StandardCharsets.UTF_8));
            }
        }
        return null;
    }
}
