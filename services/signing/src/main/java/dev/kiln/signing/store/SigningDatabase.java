package dev.kiln.signing.store;

import dev.kiln.signing.domain.SignatureRecord;
import dev.kiln.signing.domain.StoredOpenPgpKey;
import dev.kiln.support.jdbc.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** Plain JDBC on schema {@code signing} (Flyway migrations in {@code db/migration}). */
@ApplicationScoped
public class SigningDatabase {
    /** A failure of the database, with the SQL state kept in the message. */
    public static class DatabaseException extends RuntimeException {
        public DatabaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Inject
    DataSource dataSource;

    private static final String COLUMNS = "build_id, registry, repository, reference, digest, format, key_id, location, lookaside_index, signed_at";

    /** The signature of {@code reference} at {@code digest} in {@code format} by {@code keyId}, if one was made. */
    public Optional<SignatureRecord> find(String registry, String reference, String digest, String format, String keyId) {
        return call(c -> find(c, registry, reference, digest, format, keyId));
    }

    /** Records a cosign signature (stored in the registry); a second call for the same signature changes nothing. */
    public SignatureRecord recordCosign(String buildId, String registry, String repository, String reference, String digest,
            String keyId, String location, Instant signedAt) {
        return call(c -> recordCosign(c, buildId, registry, repository, reference, digest, keyId, location, signedAt));
    }

    /** {@link #recordCosign(String, String, String, String, String, String, String, Instant)} on {@code c}. */
    public SignatureRecord recordCosign(Connection c, String buildId, String registry, String repository,
            String reference, String digest, String keyId, String location, Instant signedAt) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("INSERT INTO signing.signatures (" + COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, 'cosign', ?, ?, NULL, ?) ON CONFLICT ON CONSTRAINT signatures_once DO NOTHING")) {
            st.setString(1, buildId);
            st.setString(2, registry);
            st.setString(3, repository);
            st.setString(4, reference);
            st.setString(5, digest);
            st.setString(6, keyId);
            st.setString(7, location);
            st.setTimestamp(8, Timestamp.from(signedAt));
            st.executeUpdate();
        }
        return find(c, registry, reference, digest, "cosign", keyId).orElseThrow();
    }

    /**
     * Returns the simple signature of {@code reference} by {@code keyId}, making it when there is none: under a lock on
     * (repository, digest), the next lookaside index is taken, {@code sign} is called and the row inserted, in one
     * transaction.
     */
    public SignatureRecord findOrCreateSimpleSigning(String buildId, String registry, String repository, String reference,
            String digest, String keyId, IntFunction<String> locationForIndex, Supplier<byte[]> sign, Instant signedAt) {
        return transaction(c -> findOrCreateSimpleSigning(c, buildId, registry, repository, reference, digest, keyId,
                locationForIndex, sign, signedAt));
    }

    /** As above, in {@code c}'s transaction (the lock is held until it ends). */
    public SignatureRecord findOrCreateSimpleSigning(Connection c, String buildId, String registry, String repository,
            String reference, String digest, String keyId, IntFunction<String> locationForIndex, Supplier<byte[]> sign,
            Instant signedAt) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            lock.setString(1, "kiln-signing-lookaside:" + repository + "@" + digest);
            lock.execute();
        }
        Optional<SignatureRecord> existing = find(c, registry, reference, digest, "simple-signing", keyId);
        if (existing.isPresent()) {
            return existing.get();
        }
        int index;
        try (PreparedStatement st = c.prepareStatement(
                "SELECT COALESCE(MAX(lookaside_index), 0) + 1 FROM signing.signatures WHERE repository = ? AND digest = ?")) {
            st.setString(1, repository);
            st.setString(2, digest);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                index = rs.getInt(1);
            }
        }
        byte[] signature = sign.get();
        try (PreparedStatement st = c.prepareStatement("INSERT INTO signing.signatures (" + COLUMNS + ", signature)"
                + " VALUES (?, ?, ?, ?, ?, 'simple-signing', ?, ?, ?, ?, ?)")) {
            st.setString(1, buildId);
            st.setString(2, registry);
            st.setString(3, repository);
            st.setString(4, reference);
            st.setString(5, digest);
            st.setString(6, keyId);
            st.setString(7, locationForIndex.apply(index));
            st.setInt(8, index);
            st.setTimestamp(9, Timestamp.from(signedAt));
            st.setBytes(10, signature);
            st.executeUpdate();
        }
        return find(c, registry, reference, digest, "simple-signing", keyId).orElseThrow();
    }

    /** The simple signature blob served at {@code <repository>@<digest>/signature-<index>}. */
    public Optional<byte[]> lookaside(String repository, String digest, int index) {
        return call(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT signature FROM signing.signatures"
                    + " WHERE repository = ? AND digest = ? AND lookaside_index = ? AND format = 'simple-signing'")) {
                st.setString(1, repository);
                st.setString(2, digest);
                st.setInt(3, index);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
                }
            }
        });
    }

    /** Every signature recorded for {@code repository@digest}, any registry, oldest first. */
    public List<SignatureRecord> forDigest(String repository, String digest) {
        return call(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM signing.signatures"
                    + " WHERE repository = ? AND digest = ? ORDER BY id")) {
                st.setString(1, repository);
                st.setString(2, digest);
                return list(st);
            }
        });
    }

    public List<StoredOpenPgpKey> generatedOpenPgpKeys() {
        return call(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT fingerprint, armored_secret_key, armored_public_key, protected_by,"
                    + " created_at FROM signing.openpgp_keys ORDER BY created_at, fingerprint");
                    ResultSet rs = st.executeQuery()) {
                List<StoredOpenPgpKey> keys = new ArrayList<>();
                while (rs.next()) {
                    keys.add(new StoredOpenPgpKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant()));
                }
                return keys;
            }
        });
    }

    /**
     * The first generated key, generating and storing one with {@code generate} when there is none; instances starting
     * together agree on one key (advisory lock).
     */
    public StoredOpenPgpKey generatedOpenPgpKey(Supplier<StoredOpenPgpKey> generate) {
        return transaction(c -> {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('kiln-signing-openpgp-key'))")) {
                lock.execute();
            }
            try (PreparedStatement st = c.prepareStatement("SELECT fingerprint, armored_secret_key, armored_public_key, protected_by,"
                    + " created_at FROM signing.openpgp_keys ORDER BY created_at, fingerprint LIMIT 1");
                    ResultSet rs = st.executeQuery()) {
                if (rs.next()) {
                    return new StoredOpenPgpKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getTimestamp(5).toInstant());
                }
            }
            StoredOpenPgpKey key = generate.get();
            try (PreparedStatement st = c.prepareStatement("INSERT INTO signing.openpgp_keys (fingerprint, armored_secret_key,"
                    + " armored_public_key, protected_by, created_at) VALUES (?, ?, ?, ?, ?)")) {
                st.setString(1, key.fingerprint());
                st.setString(2, key.armoredSecretKey());
                st.setString(3, key.armoredPublicKey());
                st.setString(4, key.protectedBy());
                st.setTimestamp(5, Timestamp.from(key.createdAt()));
                st.executeUpdate();
            }
            return key;
        });
    }

    public Optional<SignatureRecord> find(Connection c, String registry, String reference, String digest, String format,
            String keyId) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("SELECT " + COLUMNS + " FROM signing.signatures"
                + " WHERE registry = ? AND reference = ? AND digest = ? AND format = ? AND key_id = ?")) {
            st.setString(1, registry);
            st.setString(2, reference);
            st.setString(3, digest);
            st.setString(4, format);
            st.setString(5, keyId);
            List<SignatureRecord> found = list(st);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    private static List<SignatureRecord> list(PreparedStatement st) throws SQLException {
        List<SignatureRecord> records = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                int index = rs.getInt(9);
                OptionalInt lookaside = rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(index);
                records.add(new SignatureRecord(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), lookaside,
                        rs.getTimestamp(10).toInstant()));
            }
        }
        return records;
    }

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T call(Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseException("database call failed (" + e.getSQLState() + "): " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction (service-support {@code Jdbc.transaction}). */
    public <T> T transaction(Work<T> work) {
        return call(c -> Jdbc.transaction(c, work::run));
    }
}
