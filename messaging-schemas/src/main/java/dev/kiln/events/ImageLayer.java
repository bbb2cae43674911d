package dev.kiln.events;

/**
 * One layer of a built image, bottom first, as {@code docker history} and the image config describe it:
 * {@code diffId} is the digest of the uncompressed layer tar ({@code rootfs.diff_ids}), {@code sizeBytes} its
 * unpacked size, {@code createdBy} the instruction that made it (null when the daemon does not say).
 */
public record ImageLayer(String diffId, long sizeBytes, String createdBy) {
    public ImageLayer {
        Require.digest(diffId, "layers[].diffId");
        Require.notNegative(sizeBytes, "layers[].sizeBytes");
    }
}
