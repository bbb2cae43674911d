package dev.kiln.buildsubmission.store;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Uploaded build context archives, by digest: a {@code contexts} row (digest, size) and the archive's bytes in
 * {@value #CHUNK_BYTES}-byte {@code context_chunks} rows, written and read one chunk at a time.
 */
@ApplicationScoped
public class ContextStore {
    /** Bytes per chunk row (V5 carried older contexts over in chunks of the same size). */
    public static final int CHUNK_BYTES = 1024 * 1024;

    private final AgroalDataSource dataSource;

    public ContextStore(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Stores the archive in {@code file} ({@code size} bytes) unless it is already there; true when it was new. The
     * row and its chunks are written in the caller's transaction, so a context is either whole or absent.
     */
    public boolean insert(Connection c, String digest, long size, Path file) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO submission.contexts (digest, size) "
                + "VALUES (?, ?) ON CONFLICT (digest) DO NOTHING")) {
            ps.setString(1, digest);
            ps.setLong(2, size);
            if (ps.executeUpdate() != 1) {
                return false;
            }
        }
        try (InputStream in = Files.newInputStream(file);
                PreparedStatement ps = c.prepareStatement("INSERT INTO submission.context_chunks "
                        + "(digest, sequence, bytes) VALUES (?, ?, ?)")) {
            byte[] buf = new byte[CHUNK_BYTES];
            int sequence = 0;
            long written = 0;
            int n;
            while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                ps.setString(1, digest);
                ps.setInt(2, sequence++);
                ps.setBytes(3, n == buf.length ? buf : Arrays.copyOf(buf, n));
                ps.executeUpdate();
                written += n;
            }
            if (written != size) {
                throw new SQLException("the spooled context has " + written + " bytes, expected " + size);
            }
        } catch (IOException e) {
            throw new SQLException("cannot read the spooled context: " + e.getMessage(), e);
        }
        return true;
    }

    /** The archive's size, when it is stored. */
    public OptionalLong size(Connection c, String digest) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT size FROM submission.contexts WHERE digest = ?")) {
            ps.setString(1, digest);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * The archive's bytes as a stream that fetches one chunk at a time (each in its own short query), or empty when
     * no such context is stored. Stored contexts never change, so the chunks read are those of one archive.
     */
    public Optional<InputStream> open(String digest) {
        try (Connection c = dataSource.getConnection()) {
            if (size(c, digest).isEmpty()) {
                return Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("database error: " + e.getMessage(), e);
        }
        return Optional.of(new ChunkStream(digest));
    }

    private final class ChunkStream extends InputStream {
        private final String digest;
        private int next;
        private byte[] chunk = new byte[0];
        private int pos;
        private boolean done;

        ChunkStream(String digest) {
            this.digest = digest;
        }

        private boolean fill() throws IOException {
            while (!done && pos >= chunk.length) {
                try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                        "SELECT bytes FROM submission.context_chunks WHERE digest = ? AND sequence = ?")) {
                    ps.setString(1, digest);
                    ps.setInt(2, next);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            chunk = rs.getBytes(1);
                            pos = 0;
                            next++;
                        } else {
                            done = true;
                            chunk = new byte[0];
                        }
                    }
                } catch (SQLException e) {
                    throw new IOException("cannot read chunk " + next + " of context " + digest + ": "
                            + e.getMessage(), e);
                }
            }
            return pos < chunk.length;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
