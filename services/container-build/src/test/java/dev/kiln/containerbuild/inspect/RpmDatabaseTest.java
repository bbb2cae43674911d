package dev.kiln.containerbuild.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading real rpm sqlite databases (made by rpm itself), with and without a write-ahead log, into package URLs. */
class RpmDatabaseTest {
    @TempDir
    Path dir;

    @Test
    void installedPackagesWithoutKeysAsPackageUrls() throws Exception {
        Path db = RpmFixture.database(dir);
        List<RpmHeader> installed = RpmDatabase.installed(db);
        assertEquals(List.of(new RpmHeader("kiln-hello", "1.2.3", "4.fc40", 2, "noarch"),
                new RpmHeader("kiln-plain", "0.1", "1", null, "noarch")), installed, "gpg-pubkey is left out");
        assertEquals(List.of("pkg:rpm/fedora/kiln-hello@1.2.3-4.fc40?arch=noarch&epoch=2",
                "pkg:rpm/fedora/kiln-plain@0.1-1?arch=noarch"), ContentManifest.fromRpm(installed, "fedora"));
    }

    @Test
    void committedTransactionsInTheWriteAheadLogAreRead() throws Exception {
        Path db = RpmFixture.withWal(dir);
        assertEquals(List.of("kiln-hello", "kiln-plain", "kiln-late"),
                RpmDatabase.installed(db).stream().map(RpmHeader::name).toList());
        // the same database file without its log does not have the late package: the log is what made the difference
        Path alone = Files.createDirectories(dir.resolve("alone")).resolve("rpmdb.sqlite");
        Files.copy(db, alone);
        assertEquals(List.of("kiln-hello", "kiln-plain"), RpmDatabase.installed(alone).stream().map(RpmHeader::name).toList());
    }

    @Test
    void aFileThatIsNoRpmDatabaseIsAnSqlError() throws Exception {
        Path notRpm = dir.resolve("rpmdb.sqlite");
        Files.writeString(notRpm, "this is not an sqlite database, it only has the name of one\n".repeat(20));
        assertThrows(SQLException.class, () -> RpmDatabase.installed(notRpm));
    }

    @Test
    void packageUrlsFollowThePurlSpecification() {
        List<RpmHeader> packages = List.of(new RpmHeader("bash", "5.2.26", "3.fc40", null, "x86_64"),
                new RpmHeader("vim-enhanced", "9.1.0", "1.fc40", 2, "x86_64"),
                new RpmHeader("gcc-c++", "14.0~rc1", "0.1.fc40", 0, "aarch64"),
                new RpmHeader("keyring", "1", "1", null, null));
        assertEquals(List.of("pkg:rpm/fedora/bash@5.2.26-3.fc40?arch=x86_64",
                "pkg:rpm/fedora/vim-enhanced@9.1.0-1.fc40?arch=x86_64&epoch=2",
                "pkg:rpm/fedora/gcc-c%2B%2B@14.0~rc1-0.1.fc40?arch=aarch64&epoch=0",
                "pkg:rpm/fedora/keyring@1-1"), ContentManifest.fromRpm(packages, "fedora"));
        assertTrue(ContentManifest.fromRpm(packages, null).get(0).startsWith("pkg:rpm/bash@"), "no namespace when the"
                + " image has no os-release");
    }
}
