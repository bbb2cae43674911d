package dev.kiln.containerbuild.inspect;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.sqlite.SQLiteConfig;

/**
 * The installed packages of an rpm sqlite database (rpm ≥ 4.16: RHEL/UBI 9, Fedora ≥ 33, Amazon Linux 2023), a copy
 * taken out of an image: table {@code Packages}, one header blob per row ({@link RpmHeader}). The file is opened
 * read-only; a {@code -wal} file beside it (rpm keeps the database in WAL mode) is read with it.
 */
public final class RpmDatabase {
    /** Where rpm ≥ 4.16 keeps it; one of the two is usually a symbolic link to the other's directory. */
    public static final List<String> SQLITE_PATHS = List.of("/usr/lib/sysimage/rpm/rpmdb.sqlite",
            "/var/lib/rpm/rpmdb.sqlite");
    /** Older formats that Kiln does not read: Berkeley DB ({@code Packages}) and SUSE's ndb ({@code Packages.db}). */
    public static final List<String> UNREAD_PATHS = List.of("/var/lib/rpm/Packages", "/var/lib/rpm/Packages.db",
            "/usr/lib/sysimage/rpm/Packages", "/usr/lib/sysimage/rpm/Packages.db");
    /** The pseudo packages {@code rpm --import} makes for trusted keys: not software. */
    static final String GPG_PUBKEY = "gpg-pubkey";

    private RpmDatabase() {
    }

    /** The packages in installation order ({@code hnum}), without {@code gpg-pubkey} entries. */
    public static List<RpmHeader> installed(Path sqlite) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        List<RpmHeader> result = new ArrayList<>();
        try (Connection c = config.createConnection("jdbc:sqlite:" + sqlite.toAbsolutePath());
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT hnum, blob FROM Packages ORDER BY hnum")) {
            while (rows.next()) {
                RpmHeader header;
                try {
                    header = RpmHeader.parse(rows.getBytes(2));
                } catch (IllegalArgumentException e) {
                    throw new SQLException("package " + rows.getLong(1) + " of the rpm database: " + e.getMessage(), e);
                }
                if (!GPG_PUBKEY.equals(header.name())) {
                    result.add(header);
                }
            }
        }
        return result;
    }
}
