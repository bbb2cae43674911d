package dev.kiln.buildsubmission.service;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.store.ContextStore;
import dev.kiln.buildsubmission.store.Transactions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/** Uploaded build contexts: checked, stored in PostgreSQL by the sha256 of the archive bytes, served by digest. */
@ApplicationScoped
public class ContextService {
    public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    /** A stored context. */
    public record StoredContext(String digest, long size) {
    }

    private final KilnConfig config;
    private final Transactions tx;
    private final ContextStore store;

    public ContextService(KilnConfig config, Transactions tx, ContextStore store) {
        this.config = config;
        this.tx = tx;
        this.store = store;
    }

    /** Reads, checks and stores an archive; storing the same bytes twice is harmless. */
    public StoredContext upload(InputStream body, long declaredLength) {
        long max = config.context().maxBytes();
        if (declaredLength > max) {
            throw tooLarge(declaredLength, max);
        }
        byte[] bytes = readAtMost(body, max);
        if (bytes.length == 0) {
            throw SubmissionException.invalid("Empty build context", "the request body is empty: send a tar archive "
                    + "(plain or gzipped) of the build context");
        }
        try {
            ContextArchive.validate(bytes);
        } catch (ContextArchive.InvalidContextException e) {
            throw SubmissionException.invalid("Invalid build context", e.getMessage());
        }
        String digest = "sha256:" + sha256(bytes);
        tx.inTransaction(c -> store.insert(c, digest, bytes));
        return new StoredContext(digest, bytes.length);
    }

    public Optional<byte[]> get(String digest) {
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            return Optional.empty();
        }
        return tx.inTransaction(c -> store.bytes(c, digest));
    }

    private byte[] readAtMost(InputStream in, long max) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                total += n;
                if (total > max) {
                    throw tooLarge(-1, max);
                }
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static SubmissionException tooLarge(long size, long max) {
        return new SubmissionException(SubmissionException.Kind.TOO_LARGE, "Build context too large",
                "the build context is " + (size >= 0 ? size + " bytes" : "larger than the limit") + "; at most " + max
                        + " bytes are accepted (kiln.context.max-bytes): leave large files out of the context");
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
