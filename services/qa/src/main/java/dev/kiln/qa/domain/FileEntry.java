package dev.kiln.qa.domain;

/** A path in an image as the daemon's archive API reports it: full mode (type bits included), owner, link target. */
public record FileEntry(String path, int mode, long uid, long gid, boolean directory, boolean symlink, String linkName) {
}
