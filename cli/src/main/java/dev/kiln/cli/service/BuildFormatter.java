package dev.kiln.cli.service;

import dev.kiln.cli.domain.Build;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text renderings of build records for people: {@code kiln show} and {@code kiln list}. */
public final class BuildFormatter {

    /** The width a layers line keeps to: a classic terminal's (a JVM cannot ask the terminal for its width). */
    static final int LINE_WIDTH = 80;
    /** Created-by never gets fewer columns than this, even when the other columns leave less room. */
    private static final int MIN_CREATED_BY = 20;
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

    private BuildFormatter() {
    }

    /** A readable summary of one build, several lines, ending with a newline. */
    public static String summary(Build b) {
        StringBuilder sb = new StringBuilder();
        field(sb, "Build", b.id());
        field(sb, "Component", b.component());
        field(sb, "NVR", b.nvrText());
        field(sb, "State", b.stateName());
        field(sb, "Scratch", b.isScratch() ? "yes" : "no");
        field(sb, "Requester", b.requester());
        field(sb, "Source", source(b.source()));
        field(sb, "Dockerfile", b.dockerfilePath());
        field(sb, "Created", b.createdAt());
        field(sb, "Updated", b.updatedAt());
        if (b.worker() != null && b.worker().id() != null) {
            field(sb, "Worker", b.worker().id() + (b.worker().dockerHost() == null ? "" : " on " + b.worker().dockerHost()));
        }
        if (b.parentImage() != null) {
            field(sb, "Parent", b.parentDigest() == null ? b.parentImage()
                    : b.parentImage() + " (" + b.parentDigest() + ")");
        }
        image(sb, "Candidate", b.candidate());
        image(sb, "Promoted", b.promoted());
        Build.Failure f = b.failure();
        if (f != null) {
            field(sb, "Failure", "stage " + f.stage() + " (" + f.reason() + "): " + f.message());
        }
        if (!b.history().isEmpty()) {
            sb.append("History:\n");
            Instant origin = BuildFollower.origin(b);
            for (Build.HistoryEntry h : b.history()) {
                sb.append(BuildFollower.stateLine(h.state(), Times.elapsed(origin, Times.parse(h.at()))));
                if (h.at() != null) {
                    sb.append("  ").append(h.at());
                }
                if (h.isInferred()) {
                    sb.append("  (inferred: a later state came first)");
                }
                sb.append('\n');
            }
        }
        if (!b.qaResults().isEmpty()) {
            sb.append("QA results:\n");
            List<List<String>> rows = new ArrayList<>();
            for (Build.QaResult q : b.qaResults()) {
                rows.add(List.of(nz(q.testCase()), nz(q.outcome()), nz(q.reporter()), nz(q.summary())));
            }
            table(sb, null, rows, "  ");
        }
        if (!b.signatures().isEmpty()) {
            sb.append("Signatures:\n");
            List<List<String>> rows = new ArrayList<>();
            for (Build.Signature s : b.signatures()) {
                rows.add(List.of(nz(s.reference()), nz(s.format()), "key " + nz(s.keyId())));
            }
            table(sb, null, rows, "  ");
        }
        layers(sb, b.layers());
        return sb.toString();
    }

    /** A table of builds with a header line; a note when there are none. */
    public static String table(List<Build> builds) {
        if (builds.isEmpty()) {
            return "No builds found.\n";
        }
        List<List<String>> rows = new ArrayList<>();
        for (Build b : builds) {
            rows.add(List.of(nz(b.id()), nz(b.component()), nz(b.nvrText()), b.stateName(),
                    b.isScratch() ? "yes" : "no", nz(b.requester()), nz(b.createdAt())));
        }
        StringBuilder sb = new StringBuilder();
        table(sb, List.of("ID", "COMPONENT", "NVR", "STATE", "SCRATCH", "REQUESTER", "CREATED"), rows, "");
        return sb.toString();
    }

    /** A table with a header line, columns padded to their widest cell. */
    public static String table(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        table(sb, header, rows, "");
        return sb.toString();
    }

    private static void table(StringBuilder sb, List<String> header, List<List<String>> rows, String indent) {
        List<List<String>> all = new ArrayList<>();
        if (header != null) {
            all.add(header);
        }
        all.addAll(rows);
        int columns = all.get(0).size();
        int[] width = new int[columns];
        for (List<String> row : all) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < columns; i++) {
                line.append(i == columns - 1 ? row.get(i) : pad(row.get(i), width[i] + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
    }

    /**
     * The image's layers, bottom first: number, short diff id, size and the instruction that made it, the last one
     * put on one line and cut to keep the line within {@link #LINE_WIDTH} (the full text is in {@code -o json}).
     */
    private static void layers(StringBuilder sb, List<Build.Layer> layers) {
        if (layers.isEmpty()) {
            return;
        }
        List<String> header = List.of("#", "DIFF ID", "SIZE", "CREATED BY");
        List<List<String>> cells = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Build.Layer l = layers.get(i);
            cells.add(List.of(Integer.toString(i + 1), shortDigest(l.diffId()),
                    l.sizeBytes() == null ? "-" : humanSize(l.sizeBytes())));
        }
        String indent = "  ";
        int used = indent.length();
        for (int c = 0; c < header.size() - 1; c++) {
            int width = header.get(c).length();
            for (List<String> row : cells) {
                width = Math.max(width, row.get(c).length());
            }
            used += width + 2;
        }
        int room = Math.max(MIN_CREATED_BY, LINE_WIDTH - used);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            List<String> row = new ArrayList<>(cells.get(i));
            String createdBy = layers.get(i).createdBy();
            // a RUN spread over several lines would break the table
            row.add(createdBy == null || createdBy.isBlank() ? "-"
                    : cut(createdBy.strip().replaceAll("\\s+", " "), room));
            rows.add(row);
        }
        sb.append("Layers (bottom first):\n");
        table(sb, header, rows, indent);
    }

    /** {@code sha256:} and the first 8 hex digits, then an ellipsis: enough to tell layers apart at a glance. */
    static String shortDigest(String digest) {
        if (digest == null) {
            return "-";
        }
        int colon = digest.indexOf(':');
        return digest.length() - colon - 1 > 8 ? digest.substring(0, colon + 9) + "…" : digest;
    }

    /** Sizes as {@code docker images} shows them, in powers of 1000: {@code 12 B}, {@code 4.3 MB}, {@code 123 MB}. */
    static String humanSize(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 999.5 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        if (unit == 0) {
            return bytes + " B";
        }
        return String.format(Locale.ROOT, value < 9.95 ? "%.1f %s" : "%.0f %s", value, UNITS[unit]);
    }

    /** {@code text} when it has at most {@code max} characters, else its start and an ellipsis, {@code max} in all. */
    private static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    private static String source(Build.BuildSource s) {
        if (s == null) {
            return null;
        }
        String kind = s.kind() == null ? "" : s.kind().toUpperCase(Locale.ROOT);
        if (kind.equals("CONTEXT") || (s.contextDigest() != null && s.gitUrl() == null)) {
            return "uploaded context " + s.contextDigest();
        }
        StringBuilder sb = new StringBuilder("git ").append(s.gitUrl());
        if (s.gitRef() != null) {
            sb.append('#').append(s.gitRef());
        }
        if (s.gitCommit() != null) {
            sb.append(" (commit ").append(s.gitCommit()).append(')');
        }
        return sb.toString();
    }

    private static void image(StringBuilder sb, String label, Build.ImageRef image) {
        if (image == null || image.pullSpec() == null) {
            return;
        }
        String tags = image.tags().isEmpty() ? "" : " (tags " + String.join(", ", image.tags()) + ")";
        field(sb, label, image.pullSpec() + tags);
    }

    private static void field(StringBuilder sb, String label, String value) {
        if (value != null) {
            sb.append(pad(label + ":", 12)).append(value).append('\n');
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s + " " : s + " ".repeat(width - s.length());
    }

    private static String nz(String s) {
        return s == null ? "-" : s;
    }
}
