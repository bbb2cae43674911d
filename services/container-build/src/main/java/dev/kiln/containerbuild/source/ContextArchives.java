package dev.kiln.containerbuild.source;

import dev.kiln.support.source.Archives;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The daemon's build context written from the original archive, so that modes, times and links reach the daemon as
 * the maintainer made them (service-support's {@link Archives#extract} unpacks it for preflight to read).
 */
public final class ContextArchives {
    private ContextArchives() {
    }

    /**
     * Writes the daemon's build context from the archive the source came as: every entry of {@code archive} (tar or
     * gzip tar, already checked by {@link #extract}) is copied with its header unchanged (mode with setuid, setgid and
     * sticky bits, modification time, owner, link target, hard links), so the daemon sees the context exactly as the
     * maintainer made it; only the files named in {@code replaced} (paths relative to the root, such as the pinned
     * Dockerfile) get new contents. Devices and fifos are left out, as {@link #extract} leaves them out. Returns the
     * replaced paths that the archive held.
     */
    public static Set<String> rewrite(Path archive, Path tarFile, Map<String, byte[]> replaced) throws IOException {
        Set<String> done = new HashSet<>();
        try (InputStream in = Archives.open(archive);
                TarArchiveInputStream source = new TarArchiveInputStream(in);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarFile));
                TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            tar.setAddPaxHeadersForNonAsciiNames(true);
            TarArchiveEntry e;
            while ((e = source.getNextEntry()) != null) {
                if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
                    continue;
                }
                String name = Archives.relativeName(e.getName());
                byte[] contents = regular(e) ? replaced.get(name) : null;
                if (contents != null) {
                    // the entry is the input's own: it gets the new size only while it is written
                    long size = e.getSize();
                    e.setSize(contents.length);
                    tar.putArchiveEntry(e);
                    tar.write(contents);
                    tar.closeArchiveEntry();
                    e.setSize(size);
                    done.add(name);
                    continue;
                } else {
                    tar.putArchiveEntry(e);
                    if (regular(e)) {
                        source.transferTo(tar);
                    }
                }
                tar.closeArchiveEntry();
            }
            tar.finish();
        } catch (java.util.zip.ZipException | IllegalArgumentException e) {
            throw new Archives.InvalidArchiveException("not a tar or gzip tar: " + e.getMessage());
        }
        return done;
    }

    /** A regular file with contents (commons-compress calls links and devices files too). */
    private static boolean regular(TarArchiveEntry e) {
        return e.isFile() && !e.isDirectory() && !e.isSymbolicLink() && !e.isLink() && !e.isCharacterDevice()
                && !e.isBlockDevice() && !e.isFIFO();
    }

}
