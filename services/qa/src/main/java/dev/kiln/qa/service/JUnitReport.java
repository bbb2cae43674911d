package dev.kiln.qa.service;

import dev.kiln.events.QaOutcome;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.domain.StoredResult;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The JUnit XML report of one run: one {@code testcase} per test case with its latest outcome. */
public final class JUnitReport {
    private JUnitReport() {
    }

    /** {@code results}: every result of the run in time order. */
    public static String render(Run run, List<StoredResult> results) {
        Map<String, StoredResult> latest = new LinkedHashMap<>();
        Map<String, Instant> started = new HashMap<>();
        for (StoredResult r : results) {
            if (r.outcome() == QaOutcome.RUNNING) {
                started.put(r.testCase(), r.time());
            }
            latest.put(r.testCase(), r);
        }
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        StringBuilder cases = new StringBuilder();
        double total = 0;
        for (StoredResult r : latest.values()) {
            Instant from = started.get(r.testCase());
            double seconds = from == null || !r.outcome().isFinal() ? 0 : Duration.between(from, r.time()).toMillis() / 1000.0;
            total += seconds;
            int dot = r.testCase().lastIndexOf('.');
            cases.append("  <testcase classname=\"").append(xml(dot > 0 ? r.testCase().substring(0, dot) : r.testCase()))
                    .append("\" name=\"").append(xml(r.testCase())).append("\" time=\"").append(format(seconds)).append('"');
            String note = r.note() == null ? "" : r.note();
            switch (r.outcome()) {
                case PASSED -> {
                    cases.append(note.isEmpty() ? "/>\n" : ">\n    <system-out>" + xml(note) + "</system-out>\n  </testcase>\n");
                    continue;
                }
                case FAILED -> {
                    failures++;
                    cases.append(">\n    <failure type=\"FAILED\" message=\"").append(xml(firstLine(note))).append("\">")
                            .append(xml(note)).append("</failure>\n");
                }
                case ERROR -> {
                    errors++;
                    cases.append(">\n    <error type=\"ERROR\" message=\"").append(xml(firstLine(note))).append("\">")
                            .append(xml(note)).append("</error>\n");
                }
                default -> {
                    skipped++;
                    cases.append(">\n    <skipped message=\"").append(r.outcome().name()).append(": ")
                            .append(xml(firstLine(note))).append("\"/>\n");
                }
            }
            cases.append("  </testcase>\n");
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<testsuite name=\"kiln-qa " + xml(run.subjectRepository() + "@" + run.subjectDigest()) + "\" tests=\""
                + latest.size() + "\" failures=\"" + failures + "\" errors=\"" + errors + "\" skipped=\"" + skipped
                + "\" time=\"" + format(total) + "\" timestamp=\"" + run.startedAt() + "\" id=\"" + run.id() + "\">\n"
                + "  <properties>\n"
                + "    <property name=\"build_id\" value=\"" + xml(run.buildId()) + "\"/>\n"
                + "    <property name=\"subject_repository\" value=\"" + xml(run.subjectRepository()) + "\"/>\n"
                + "    <property name=\"subject_digest\" value=\"" + xml(run.subjectDigest()) + "\"/>\n"
                + (run.note() == null ? "" : "    <property name=\"note\" value=\"" + xml(run.note()) + "\"/>\n")
                + "  </properties>\n"
                + cases
                + "</testsuite>\n";
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }

    static String xml(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        out.append('?');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
