package dev.kiln.containerbuild.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The header parser on blobs of a real rpm database (rpm itself is the oracle) and on damaged or unusual ones. */
class RpmHeaderTest {
    @TempDir
    static Path dir;
    private static Path database;

    @BeforeAll
    static void makeDatabase() throws Exception {
        database = RpmFixture.database(dir);
    }

    @Test
    void parsesEveryHeaderAsRpmQueriesIt() throws Exception {
        List<String> parsed = new ArrayList<>();
        for (byte[] blob : RpmFixture.blobs(database)) {
            RpmHeader h = RpmHeader.parse(blob);
            parsed.add(h.name() + " " + (h.epoch() == null ? "(none)" : h.epoch()) + " " + h.version() + " "
                    + h.release() + " " + (h.arch() == null ? "(none)" : h.arch()));
        }
        List<String> rpm = new ArrayList<>(RpmFixture.query(database));
        assertEquals(3, parsed.size(), parsed.toString());
        parsed.sort(null);
        rpm.sort(null);
        assertEquals(rpm, parsed);
        assertTrue(parsed.contains("kiln-hello 2 1.2.3 4.fc40 noarch"), parsed.toString());
        assertTrue(parsed.contains("kiln-plain (none) 0.1 1 noarch"), parsed.toString());
    }

    @Test
    void truncatedOrNonsenseHeadersAreRefusedWithTheReason() throws Exception {
        byte[] real = RpmFixture.blobs(database).get(0);
        IllegalArgumentException truncated = assertThrows(IllegalArgumentException.class,
                () -> RpmHeader.parse(Arrays.copyOf(real, real.length - 10)));
        assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(new byte[] {0, 0, 0}));
        byte[] huge = real.clone();
        ByteBuffer.wrap(huge).putInt(0, 0x7fffffff);
        IllegalArgumentException claims = assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(huge));
        assertTrue(claims.getMessage().contains("index entries"), claims.getMessage());
    }

    @Test
    void stringTypesEpochAndMissingTags() {
        // NAME as an i18n string, VERSION as a string array (the first string counts), no ARCH, EPOCH 0
        byte[] blob = header(new Object[][] {
            {RpmHeader.NAME, 9, "i18n-name"},
            {RpmHeader.VERSION, 8, "1.0\0ignored"},
            {RpmHeader.RELEASE, 6, "3.el9"},
            {RpmHeader.EPOCH, 4, 0}});
        RpmHeader h = RpmHeader.parse(blob);
        assertEquals(new RpmHeader("i18n-name", "1.0", "3.el9", 0, null), h);

        IllegalArgumentException noName = assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(header(
                new Object[][] {{RpmHeader.VERSION, 6, "1"}, {RpmHeader.RELEASE, 6, "1"}})));
        assertTrue(noName.getMessage().contains("NAME"), noName.getMessage());

        IllegalArgumentException wrongType = assertThrows(IllegalArgumentException.class, () -> RpmHeader.parse(
                header(new Object[][] {{RpmHeader.NAME, 4, 7}, {RpmHeader.VERSION, 6, "1"}, {RpmHeader.RELEASE, 6, "1"}})));
        assertTrue(wrongType.getMessage().contains("not a string"), wrongType.getMessage());

        byte[] outside = header(new Object[][] {{RpmHeader.NAME, 6, "x"}, {RpmHeader.VERSION, 6, "1"},
            {RpmHeader.RELEASE, 6, "1"}});
        ByteBuffer.wrap(outside).putInt(8 + 8, 4096); // NAME's offset
        IllegalArgumentException pointsOutside = assertThrows(IllegalArgumentException.class,
                () -> RpmHeader.parse(outside));
        assertTrue(pointsOutside.getMessage().contains("outside the data store"), pointsOutside.getMessage());
    }

    @Test
    void acceptsAHeaderWithTheMagicOfAnRpmFile() throws Exception {
        byte[] real = RpmFixture.blobs(database).get(0);
        byte[] withMagic = new byte[real.length + 8];
        ByteBuffer.wrap(withMagic).putInt(0x8eade801).putInt(0).put(real);
        assertEquals(RpmHeader.parse(real), RpmHeader.parse(withMagic));
    }

    /** A header blob of {tag, type, value} entries: strings NUL-terminated, int32 values aligned. */
    private static byte[] header(Object[][] entries) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteBuffer index = ByteBuffer.allocate(16 * entries.length);
        for (Object[] e : entries) {
            int type = (Integer) e[1];
            if (type == 4) {
                while (data.size() % 4 != 0) {
                    data.write(0);
                }
                index.putInt((Integer) e[0]).putInt(type).putInt(data.size()).putInt(1);
                data.writeBytes(ByteBuffer.allocate(4).putInt((Integer) e[2]).array());
            } else {
                String value = (String) e[2];
                index.putInt((Integer) e[0]).putInt(type).putInt(data.size()).putInt(value.split("\0").length);
                data.writeBytes((value + "\0").getBytes(StandardCharsets.UTF_8));
            }
        }
        return ByteBuffer.allocate(8 + index.capacity() + data.size()).putInt(entries.length).putInt(data.size())
                .put(index.array()).put(data.toByteArray()).array();
    }
}
