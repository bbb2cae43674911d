package dev.kiln.support.keys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/** Checks every key file must pass before it is read. */
public final class KeyFiles {
    private KeyFiles() {
    }

    /**
     * Refuses a missing, unreadable or world-readable key file. On a file system without POSIX permissions the
     * permission check is skipped.
     */
    public static void checkUsable(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new KeyLoader.KeyLoadException(what + " " + file + " does not exist");
        }
        if (!Files.isReadable(file)) {
            throw new KeyLoader.KeyLoadException(what + " " + file + " is not readable by this process");
        }
        if (Files.getFileAttributeView(file, PosixFileAttributeView.class) == null) {
            return;
        }
        Set<PosixFilePermission> perms;
        try {
            perms = Files.getPosixFilePermissions(file);
        } catch (IOException e) {
            throw new KeyLoader.KeyLoadException("cannot read the permissions of " + what + " " + file + ": " + e.getMessage(), e);
        }
        if (perms.contains(PosixFilePermission.OTHERS_READ)) {
            throw new KeyLoader.KeyLoadException(what + " " + file + " is readable by every user of this machine; refusing"
                    + " to use it: make it private with `chmod 600 " + file + "` and start the service again");
        }
    }
}
