package dev.kiln.buildsubmission.service;

import dev.kiln.buildsubmission.config.KilnConfig;
import dev.kiln.buildsubmission.store.ContextStore;
import dev.kiln.buildsubmission.store.Transactions;
import dev.kiln.events.Digest;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Uploaded build contexts: streamed to a spool file while hashed and counted, checked there, then stored in
 * PostgreSQL by the sha256 of the archive bytes and served by digest, a chunk at a time. Memory stays flat whatever
 * the size; the spool file is deleted when the request ends, however it ends.
 */
@ApplicationScoped
public class ContextService {
    private static final Logger LOG = Logger.getLogger(ContextService.class);

    /** A stored context. */
    public record StoredContext(String digest, long size) {
    }

    private final KilnConfig config;
    private final Transactions tx;
    private final ContextStore store;
    private final Path spoolDir;
    private final ContextArchive.Limits limits;

    public ContextService(KilnConfig config, Transactions tx, ContextStore store) {
        this.config = config;
        this.tx = tx;
        this.store = store;
        this.spoolDir = Path.of(config.context().spoolDir().filter(s -> !s.isBlank())
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "kiln-context-spool").toString()));
        KilnConfig.Context c = config.context();
        this.limits = new ContextArchive.Limits(c.maxExpandedBytes(), c.maxEntries(), c.maxPathLength(),
                c.maxSymlinks(), c.maxLinkHops());
    }

    /** Reads, checks and stores an archive; storing the same bytes twice is harmless. */
    public StoredContext upload(InputStream body, long declaredLength) {
        long max = config.context().maxBytes();
        if (declaredLength > max) {
            throw tooLarge(declaredLength, max);
        }
        Path spool = null;
        try (InputStream in = body) {
            Files.createDirectories(spoolDir);
            spool = Files.createTempFile(spoolDir, "upload-", ".tar");
            MessageDigest sha = sha256();
            long size;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(spool), sha)) {
                size = copyAtMost(in, out, max);
            }
            if (size == 0) {
                throw SubmissionException.invalid("Empty build context", "the request body is empty: send a tar "
                        + "archive (plain or gzipped) of the build context");
            }
            try (InputStream archive = Files.newInputStream(spool)) {
                ContextArchive.validate(archive, limits);
            } catch (ContextArchive.InvalidContextException e) {
                if (e.tooLarge()) {
                    throw new SubmissionException(SubmissionException.Kind.TOO_LARGE, "Build context too large",
                            e.getMessage());
                }
                throw SubmissionException.invalid("Invalid build context", e.getMessage());
            }
            String digest = "sha256:" + HexFormat.of().formatHex(sha.digest());
            Path file = spool;
            tx.inTransaction(c -> store.insert(c, digest, size, file));
            return new StoredContext(digest, size);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool the uploaded context: " + e.getMessage(), e);
        } finally {
            if (spool != null) {
                try {
                    Files.deleteIfExists(spool);
                } catch (IOException e) {
                    LOG.warnf("could not delete the spool file %s: %s", spool, e.getMessage());
                }
            }
        }
    }

    /** The stored archive's bytes, streamed from the database a chunk at a time. */
    public Optional<InputStream> open(String digest) {
        if (digest == null || !Digest.isSha256(digest)) {
            return Optional.empty();
        }
        return store.open(digest);
    }

    /** Copies {@code in} to {@code out}; 413 as soon as more than {@code max} bytes arrived (chunked bodies too). */
    private static long copyAtMost(InputStream in, OutputStream out, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while (true) {
            try {
                n = in.read(buf);
            } catch (IOException e) {
                throw SubmissionException.invalid("Unreadable request body", "the request body ended before it was "
                        + "complete (" + total + " bytes read): send the archive again");
            }
            if (n < 0) {
                return total;
            }
            total += n;
            if (total > max) {
                throw tooLarge(-1, max);
            }
            out.write(buf, 0, n);
        }
    }

    private static SubmissionException tooLarge(long size, long max) {
        return new SubmissionException(SubmissionException.Kind.TOO_LARGE, "Build context too large",
                "the build context is " + (size >= 0 ? size + " bytes" : "larger than the limit") + "; at most " + max
                        + " bytes are accepted (kiln.context.max-bytes): leave large files out of the context");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
