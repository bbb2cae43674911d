package dev.kiln.release.domain;

/** A signature announced by image.signed. */
public record SignatureRecord(String reference, String digest, String keyId, String format) {
}
