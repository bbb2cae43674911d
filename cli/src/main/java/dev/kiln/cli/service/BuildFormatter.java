package dev.kiln.cli.service;

import dev.kiln.cli.domain.Build;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Text renderings of build records for people: {@code kiln show} and {@code kiln list}. */
public final class BuildFormatter {

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
