package dev.kiln.containerbuild.inspect;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The identity of one installed rpm package, parsed from its header blob as the rpm database stores it (one row of
 * the sqlite database's {@code Packages} table): a big-endian int32 index count and int32 data length, then 16-byte
 * index entries (tag, type, offset into the data store, count), then the data store. {@code epoch} is null when the
 * package has none; {@code arch} is null for packages without one ({@code gpg-pubkey}).
 */
public record RpmHeader(String name, String version, String release, Integer epoch, String arch) {
    static final int NAME = 1000;
    static final int VERSION = 1001;
    static final int RELEASE = 1002;
    static final int EPOCH = 1003;
    static final int ARCH = 1022;

    private static final int TYPE_INT32 = 4;
    private static final int TYPE_STRING = 6;
    private static final int TYPE_STRING_ARRAY = 8;
    private static final int TYPE_I18NSTRING = 9;
    /** The magic a header has inside an .rpm file; database blobs start without it, but it is harmless to accept. */
    private static final int MAGIC = 0x8eade801;
    /** rpm's own limits for an imported header (HEADER_TAGS_MAX-ish index count, 256 MiB data). */
    private static final int MAX_INDEX = 0x10000;
    private static final int MAX_DATA = 256 * 1024 * 1024;

    /** Parses a header blob; throws {@link IllegalArgumentException} naming what is wrong with a damaged one. */
    public static RpmHeader parse(byte[] blob) {
        ByteBuffer b = ByteBuffer.wrap(blob); // big-endian
        int start = 0;
        if (blob.length >= 8 && b.getInt(0) == MAGIC) {
            start = 8; // magic + 4 reserved bytes
        }
        if (blob.length - start < 8) {
            throw new IllegalArgumentException("rpm header of " + blob.length + " bytes is too short");
        }
        int indexCount = b.getInt(start);
        int dataLength = b.getInt(start + 4);
        if (indexCount < 1 || indexCount > MAX_INDEX || dataLength < 0 || dataLength > MAX_DATA) {
            throw new IllegalArgumentException("rpm header claims " + indexCount + " index entries and " + dataLength
                    + " data bytes");
        }
        int index = start + 8;
        int data = index + 16 * indexCount;
        if ((long) data + dataLength > blob.length) {
            throw new IllegalArgumentException("rpm header is truncated: " + indexCount + " index entries and "
                    + dataLength + " data bytes need " + ((long) data + dataLength) + " bytes, the blob has "
                    + blob.length);
        }
        Header h = new Header(b, index, indexCount, data, dataLength);
        String name = h.string(NAME);
        String version = h.string(VERSION);
        String release = h.string(RELEASE);
        if (name == null || version == null || release == null) {
            throw new IllegalArgumentException("rpm header has no " + (name == null ? "NAME" : version == null ? "VERSION"
                    : "RELEASE") + " tag");
        }
        return new RpmHeader(name, version, release, h.int32(EPOCH), h.string(ARCH));
    }

    /** The index and the data store of one header. */
    private record Header(ByteBuffer b, int index, int indexCount, int data, int dataLength) {

        /** The entry of {@code tag}: {type, offset, count}, or null. */
        private int[] entry(int tag) {
            for (int i = 0; i < indexCount; i++) {
                int at = index + 16 * i;
                if (b.getInt(at) == tag) {
                    int type = b.getInt(at + 4);
                    int offset = b.getInt(at + 8);
                    int count = b.getInt(at + 12);
                    if (offset < 0 || offset >= dataLength || count < 1) {
                        throw new IllegalArgumentException("rpm header tag " + tag + " points outside the data store"
                                + " (offset " + offset + ", count " + count + ", " + dataLength + " data bytes)");
                    }
                    return new int[] {type, offset, count};
                }
            }
            return null;
        }

        /** A string tag (types string, i18n string, string array: the first string); null when absent. */
        String string(int tag) {
            int[] e = entry(tag);
            if (e == null) {
                return null;
            }
            if (e[0] != TYPE_STRING && e[0] != TYPE_I18NSTRING && e[0] != TYPE_STRING_ARRAY) {
                throw new IllegalArgumentException("rpm header tag " + tag + " has type " + e[0] + ", not a string");
            }
            int from = data + e[1];
            int end = data + dataLength;
            for (int i = from; i < end; i++) {
                if (b.get(i) == 0) {
                    return new String(b.array(), from, i - from, StandardCharsets.UTF_8);
                }
            }
            throw new IllegalArgumentException("rpm header string of tag " + tag + " runs past the data store");
        }

        /** The first value of an int32 tag; null when absent. */
        Integer int32(int tag) {
            int[] e = entry(tag);
            if (e == null) {
                return null;
            }
            if (e[0] != TYPE_INT32) {
                throw new IllegalArgumentException("rpm header tag " + tag + " has type " + e[0] + ", not int32");
            }
            if (e[1] + 4 > dataLength) {
                throw new IllegalArgumentException("rpm header int32 of tag " + tag + " runs past the data store");
            }
            return b.getInt(data + e[1]);
        }
    }
}
