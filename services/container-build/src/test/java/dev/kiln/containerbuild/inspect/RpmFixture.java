package dev.kiln.containerbuild.inspect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;

/**
 * Real rpm databases for the tests, made by Debian's {@code rpm} package: tiny noarch packages built with
 * {@code rpmbuild} and registered with {@code rpm --justdb} into an sqlite database. Fails (never skips) when the
 * tools are missing.
 */
public final class RpmFixture {
    /** {@code kiln-hello} has an epoch; {@code gpg-pubkey} stands for the key pseudo packages. */
    public static final List<String[]> PACKAGES = List.of(
            new String[] {"kiln-hello", "2", "1.2.3", "4.fc40"},
            new String[] {"kiln-plain", null, "0.1", "1"},
            new String[] {"gpg-pubkey", null, "3228467c", "613798eb"});
    /** The package that {@link #withWal} keeps only in the write-ahead log. */
    public static final String[] LATE = {"kiln-late", "1", "9.9", "2.fc40"};

    private RpmFixture() {
    }

    /** {@code <dir>/db/rpmdb.sqlite} with {@link #PACKAGES} registered by rpm, in that order. */
    public static Path database(Path dir) throws IOException, InterruptedException {
        Path db = Files.createDirectories(dir.resolve("db"));
        for (String[] p : PACKAGES) {
            register(db, build(dir, p));
        }
        return db.resolve("rpmdb.sqlite");
    }

    /**
     * {@code <dir>/wal/rpmdb.sqlite} and {@code rpmdb.sqlite-wal}: the {@link #database} with {@link #LATE} added in a
     * transaction that is committed to the write-ahead log but not checkpointed into the database file, as an image
     * can hold it. Read without the {@code -wal}, the database does not have it.
     */
    public static Path withWal(Path dir) throws Exception {
        Path source = database(dir);
        Path late = Files.createDirectories(dir.resolve("late"));
        register(late, build(dir, LATE));
        byte[] blob = blobs(late.resolve("rpmdb.sqlite")).get(0);
        Path work = Files.createDirectories(dir.resolve("work"));
        Files.copy(source, work.resolve("rpmdb.sqlite"));
        Path out = Files.createDirectories(dir.resolve("wal"));
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + work.resolve("rpmdb.sqlite"))) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA wal_autocheckpoint=0");
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO Packages (blob) VALUES (?)")) {
                insert.setBytes(1, blob);
                insert.executeUpdate();
            }
            // copied while the connection is open: closing it would checkpoint the log into the file
            Files.copy(work.resolve("rpmdb.sqlite"), out.resolve("rpmdb.sqlite"));
            Files.copy(work.resolve("rpmdb.sqlite-wal"), out.resolve("rpmdb.sqlite-wal"));
        }
        if (Files.size(out.resolve("rpmdb.sqlite-wal")) == 0) {
            throw new AssertionError("the write-ahead log of the test database is empty");
        }
        return out.resolve("rpmdb.sqlite");
    }

    /** The header blobs of a database, in {@code hnum} order, read with plain SQL. */
    public static List<byte[]> blobs(Path sqlite) throws SQLException {
        List<byte[]> result = new ArrayList<>();
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        try (Connection c = config.createConnection("jdbc:sqlite:" + sqlite);
                Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT blob FROM Packages ORDER BY hnum")) {
            while (rows.next()) {
                result.add(rows.getBytes(1));
            }
        }
        return result;
    }

    /** What rpm itself says is installed: {@code name epoch version release arch} lines, in database order. */
    public static List<String> query(Path sqlite) throws IOException, InterruptedException {
        return List.of(run(sqlite.getParent(), "rpm", "--dbpath", sqlite.getParent().toString(), "--define",
                "_db_backend sqlite", "-qa", "--qf", "%{NAME} %{EPOCH} %{VERSION} %{RELEASE} %{ARCH}\\n").split("\n"));
    }

    private static Path build(Path dir, String[] p) throws IOException, InterruptedException {
        Path top = Files.createDirectories(dir.resolve("rpmbuild-" + p[0]));
        Path spec = top.resolve(p[0] + ".spec");
        Files.writeString(spec, "Name: " + p[0] + "\n" + (p[1] == null ? "" : "Epoch: " + p[1] + "\n")
                + "Version: " + p[2] + "\nRelease: " + p[3] + "\nSummary: Kiln test package\nLicense: MIT\n"
                + "BuildArch: noarch\n%description\nA package that installs nothing, for Kiln's tests.\n%files\n",
                StandardCharsets.UTF_8);
        run(top, "rpmbuild", "--define", "_topdir " + top, "-bb", spec.toString());
        try (var found = Files.find(top.resolve("RPMS"), 3, (f, a) -> f.toString().endsWith(".rpm"))) {
            return found.findFirst().orElseThrow(() -> new AssertionError("rpmbuild made no package for " + p[0]));
        }
    }

    private static void register(Path db, Path rpm) throws IOException, InterruptedException {
        run(db, "rpm", "--dbpath", db.toString(), "--define", "_db_backend sqlite", "-i", "--justdb", "--nodeps",
                "--noscripts", rpm.toString());
    }

    private static String run(Path dir, String... command) throws IOException, InterruptedException {
        if (!onPath(command[0])) {
            throw new AssertionError(command[0] + " is missing: install Debian's rpm package (apt-get install -y"
                    + " --no-install-recommends rpm; ./kiln installs it) to make the test rpm database");
        }
        Path output = Files.createTempFile(dir, "out-", ".txt");
        Path errors = Files.createTempFile(dir, "err-", ".txt");
        try {
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(output.toFile())
                    .redirectError(errors.toFile()).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed (" + process.exitValue() + "): "
                        + Files.readString(errors) + Files.readString(output));
            }
            return Files.readString(output);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(errors);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
