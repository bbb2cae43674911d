package dev.kiln.qa.service;

import dev.kiln.events.QaOutcome;
import dev.kiln.qa.domain.Run;
import dev.kiln.qa.domain.StoredResult;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * The JUnit XML report of one run: one {@code testcase} per test case with its latest outcome, written with the JDK's
 * StAX writer (which escapes); characters XML 1.0 cannot hold become {@code ?}.
 */
public final class JUnitReport {
    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private JUnitReport() {
    }

    /** What the suite element counts. */
    private record Counts(int tests, int failures, int errors, int skipped, double seconds) {
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
        StringWriter text = new StringWriter();
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(text);
            w.writeStartDocument("UTF-8", "1.0");
            w.writeCharacters("\n");
            w.writeStartElement("testsuite");
            w.writeAttribute("name", clean("kiln-qa " + run.subjectRepository() + "@" + run.subjectDigest()));
            Counts counts = counts(latest, started);
            w.writeAttribute("tests", Integer.toString(counts.tests()));
            w.writeAttribute("failures", Integer.toString(counts.failures()));
            w.writeAttribute("errors", Integer.toString(counts.errors()));
            w.writeAttribute("skipped", Integer.toString(counts.skipped()));
            w.writeAttribute("time", format(counts.seconds()));
            w.writeAttribute("timestamp", String.valueOf(run.startedAt()));
            w.writeAttribute("id", String.valueOf(run.id()));
            indent(w, 1);
            w.writeStartElement("properties");
            property(w, "build_id", run.buildId());
            property(w, "subject_repository", run.subjectRepository());
            property(w, "subject_digest", run.subjectDigest());
            if (run.note() != null) {
                property(w, "note", run.note());
            }
            indent(w, 1);
            w.writeEndElement();
            for (StoredResult r : latest.values()) {
                testCase(w, r, seconds(r, started));
            }
            w.writeCharacters("\n");
            w.writeEndElement();
            w.writeCharacters("\n");
            w.writeEndDocument();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing a JUnit report failed", e);
        }
        return text.toString();
    }

    private static Counts counts(Map<String, StoredResult> latest, Map<String, Instant> started) {
        int failures = 0;
        int errors = 0;
        int skipped = 0;
        double total = 0;
        for (StoredResult r : latest.values()) {
            total += seconds(r, started);
            switch (r.outcome()) {
                case PASSED -> {
                }
                case FAILED -> failures++;
                case ERROR -> errors++;
                default -> skipped++;
            }
        }
        return new Counts(latest.size(), failures, errors, skipped, total);
    }

    private static void testCase(XMLStreamWriter w, StoredResult r, double seconds) throws XMLStreamException {
        String note = r.note() == null ? "" : r.note();
        int dot = r.testCase().lastIndexOf('.');
        indent(w, 1);
        boolean empty = r.outcome() == QaOutcome.PASSED && note.isEmpty();
        if (empty) {
            w.writeEmptyElement("testcase");
        } else {
            w.writeStartElement("testcase");
        }
        w.writeAttribute("classname", clean(dot > 0 ? r.testCase().substring(0, dot) : r.testCase()));
        w.writeAttribute("name", clean(r.testCase()));
        w.writeAttribute("time", format(seconds));
        if (empty) {
            return;
        }
        indent(w, 2);
        switch (r.outcome()) {
            case PASSED -> element(w, "system-out", null, null, note);
            case FAILED -> element(w, "failure", "FAILED", firstLine(note), note);
            case ERROR -> element(w, "error", "ERROR", firstLine(note), note);
            default -> {
                w.writeEmptyElement("skipped");
                w.writeAttribute("message", clean(r.outcome().name() + ": " + firstLine(note)));
            }
        }
        indent(w, 1);
        w.writeEndElement();
    }

    private static void element(XMLStreamWriter w, String name, String type, String message, String text)
            throws XMLStreamException {
        w.writeStartElement(name);
        if (type != null) {
            w.writeAttribute("type", type);
            w.writeAttribute("message", clean(message));
        }
        w.writeCharacters(clean(text));
        w.writeEndElement();
    }

    private static void property(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        indent(w, 2);
        w.writeEmptyElement("property");
        w.writeAttribute("name", name);
        w.writeAttribute("value", clean(String.valueOf(value)));
    }

    private static void indent(XMLStreamWriter w, int depth) throws XMLStreamException {
        w.writeCharacters("\n" + "  ".repeat(depth));
    }

    private static double seconds(StoredResult r, Map<String, Instant> started) {
        Instant from = started.get(r.testCase());
        return from == null || !r.outcome().isFinal() ? 0 : Duration.between(from, r.time()).toMillis() / 1000.0;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static String format(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }

    /** The text with the control characters XML 1.0 cannot hold (all below 0x20 but tab, newline, CR) as '?'. */
    static String clean(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 && c != '\n' && c != '\t' && c != '\r' ? '?' : c);
        }
        return out.toString();
    }
}
