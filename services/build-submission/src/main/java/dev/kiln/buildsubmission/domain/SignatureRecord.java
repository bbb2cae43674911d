package dev.kiln.buildsubmission.domain;

/** A signature made for one name of a build's image. */
public record SignatureRecord(String reference, String digest, String format, String keyId) {
}
