package dev.kiln.qa.structuretest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kiln.qa.structuretest.StructureTest.CommandTest;
import dev.kiln.qa.structuretest.StructureTest.FileContentTest;
import dev.kiln.qa.structuretest.StructureTest.FileExistenceTest;
import dev.kiln.qa.structuretest.StructureTest.LicenseTest;
import dev.kiln.qa.structuretest.StructureTest.MetadataTest;
import dev.kiln.support.text.Excerpt;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads container-structure-test files (schema versions 2.0.0 and 1.0.0) strictly, as container-structure-test does
 * (it unmarshals with {@code yaml.UnmarshalStrict}): an unknown key, a wrong type or another schema version makes the
 * whole file invalid with one sentence naming the file, the test and the field.
 *
 * <p>Longer than the house's 300 lines: container-structure-test's whole schema (versions 1 and 2, five test types,
 * their fields) read strictly in one place, as the tool reads it.
 */
public final class StructureTestParser {
    public static final String SCHEMA_VERSION = "2.0.0";
    /** The older schema container-structure-test still runs: no metadataTest, {@code command} is the whole argv. */
    public static final String SCHEMA_VERSION_1 = "1.0.0";
    public static final String PREFIX = "kiln.cst";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = keys("schemaVersion", "globalEnvVars", "commandTests", "fileExistenceTests",
            "fileContentTests", "metadataTest", "licenseTests", "containerRunOptions");
    private static final Set<String> TOP_V1 = keys("schemaVersion", "globalEnvVars", "commandTests",
            "fileExistenceTests", "fileContentTests", "licenseTests");
    private static final Set<String> COMMAND_V1 = keys("name", "command", "envVars", "setup", "teardown",
            "expectedOutput", "excludedOutput", "expectedError", "excludedError", "exitCode");
    private static final Set<String> EXISTENCE_V1 = keys("name", "path", "shouldExist", "permissions");
    private static final Set<String> COMMAND = keys("name", "command", "args", "envVars", "setup", "teardown",
            "expectedOutput", "excludedOutput", "expectedError", "excludedError", "exitCode");
    private static final Set<String> EXISTENCE = keys("name", "path", "shouldExist", "permissions", "uid", "gid",
            "isExecutableBy");
    private static final Set<String> CONTENT = keys("name", "path", "expectedContents", "excludedContents");
    private static final Set<String> METADATA = keys("envVars", "unboundEnvVars", "labels", "exposedPorts", "unexposedPorts", "volumes",
            "unmountedVolumes", "entrypoint", "cmd", "workdir", "user");
    private static final Set<String> LICENSE = keys("debian", "files");
    private static final Set<String> RUN_OPTIONS = keys("user", "privileged", "allocateTty", "envVars", "envFile",
            "capabilities", "bindMounts");
    /** Where an {@code envFile} may live: the directory Kiln reads the test files from. */
    private static final Pattern ENV_FILE = Pattern.compile("tests/[^/]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.]*");
    private static final Set<String> KEY_VALUE = keys("key", "value", "isRegex");
    private static final Set<String> EXECUTABLE_BY = Set.of("any", "owner", "group", "other");

    /** Thrown with the one sentence that says what is wrong. */
    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    private StructureTestParser() {
    }

    /** {@code kiln.cst.<slug of the file name without extension>}. */
    public static String fileTestCase(String file) {
        String name = file.substring(file.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        return PREFIX + "." + slug(dot > 0 ? name.substring(0, dot) : name, "file");
    }

    /** Lower-case, runs of anything but letters and digits become one {@code -}; {@code fallback} when nothing is left. */
    public static String slug(String text, String fallback) {
        String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return s.isEmpty() ? fallback : s;
    }

    /** Parses {@code text}, the content of {@code file} (e.g. {@code tests/app.yaml}); never throws. */
    public static TestFile parse(String file, String text) {
        return parse(file, text, Map.of());
    }

    /**
     * Parses {@code text}, the content of {@code file}, with {@code sourceFiles} (the other files of the source's
     * {@code tests/} directory, by name, e.g. {@code tests/envfile}) for {@code containerRunOptions.envFile}; never throws.
     */
    public static TestFile parse(String file, String text, Map<String, String> sourceFiles) {
        return parse(file, text, sourceFiles, PassEnv.NONE);
    }

    /**
     * What {@code containerRunOptions.envVars} may pass: the names the operator lets through
     * ({@code kiln.qa.pass-env}) and the values qa's environment has for them.
     */
    public record PassEnv(Set<String> allowed, Map<String, String> values) {
        public static final PassEnv NONE = new PassEnv(Set.of(), Map.of());
    }

    /** {@link #parse(String, String, Map)} where {@code envVars} may pass what {@code passEnv} allows. */
    public static TestFile parse(String file, String text, Map<String, String> sourceFiles, PassEnv passEnv) {
        String fileCase = fileTestCase(file);
        try {
            return TestFile.valid(file, fileCase, new Reader(file, fileCase, sourceFiles, passEnv).read(text));
        } catch (Invalid e) {
            return TestFile.invalid(file, fileCase, e.getMessage());
        }
    }

    private static final class Reader {
        private final String file;
        private final String fileCase;
        private final Map<String, String> sourceFiles;
        private final PassEnv passEnv;
        private final Set<String> usedCases = new HashSet<>();
        private boolean v1;
        private RunOptions runOptions = RunOptions.NONE;

        Reader(String file, String fileCase, Map<String, String> sourceFiles, PassEnv passEnv) {
            this.file = file;
            this.fileCase = fileCase;
            this.sourceFiles = sourceFiles;
            this.passEnv = passEnv;
        }

        List<PlannedTest> read(String text) {
            JsonNode root;
            try {
                root = YAML.readTree(text);
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? ""
                        : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
                throw new Invalid(file + ": is not valid YAML" + where + " (" + e.getOriginalMessage().strip()
                        + "); fix the syntax.");
            }
            if (root == null || root.isMissingNode() || root.isNull()) {
                throw new Invalid(file + ": is empty; write a container-structure-test file with schemaVersion: \""
                        + SCHEMA_VERSION + "\" or remove it.");
            }
            if (!root.isObject()) {
                throw new Invalid(file + ": must be a mapping with schemaVersion and test lists, got " + kind(root) + ".");
            }
            JsonNode version = root.get("schemaVersion");
            if (version == null) {
                throw new Invalid(file + ": field \"schemaVersion\" is missing; add schemaVersion: \"" + SCHEMA_VERSION + "\".");
            }
            if (!version.isTextual()
                    || !(SCHEMA_VERSION.equals(version.asText()) || SCHEMA_VERSION_1.equals(version.asText()))) {
                throw new Invalid(file + ": field \"schemaVersion\" is " + show(version) + ", which is not supported; Kiln reads schemaVersion \""
                        + SCHEMA_VERSION + "\" or \"" + SCHEMA_VERSION_1 + "\".");
            }
            v1 = SCHEMA_VERSION_1.equals(version.asText());
            checkKeys(root, v1 ? TOP_V1 : TOP, "", v1 ? "schemaVersion 1.0.0 top-level" : "top-level");
            List<EnvVar> global = keyValues(root, "globalEnvVars", "");
            JsonNode run = root.get("containerRunOptions");
            if (run != null && !run.isNull()) {
                runOptions = runOptions(run, "containerRunOptions: ");
            }
            List<PlannedTest> tests = new ArrayList<>();
            for (Item item : items(root, "commandTests")) {
                tests.add(planned(item, command(item.node, item.where), global));
            }
            for (Item item : items(root, "fileExistenceTests")) {
                tests.add(planned(item, existence(item.node, item.where), global));
            }
            for (Item item : items(root, "fileContentTests")) {
                tests.add(planned(item, content(item.node, item.where), global));
            }
            JsonNode metadata = root.get("metadataTest");
            if (metadata != null && !metadata.isNull()) {
                String where = "metadataTest: ";
                if (!metadata.isObject()) {
                    throw new Invalid(file + ": field \"metadataTest\" must be a mapping, got " + kind(metadata) + ".");
                }
                Item item = new Item(metadata, "metadata", where);
                tests.add(planned(item, metadata(metadata, where), global));
            }
            JsonNode licenses = root.get("licenseTests");
            if (licenses != null && !licenses.isNull()) {
                if (!licenses.isArray()) {
                    throw new Invalid(file + ": field \"licenseTests\" must be a list, got " + kind(licenses) + ".");
                }
                for (int i = 0; i < licenses.size(); i++) {
                    String where = "licenseTests[" + i + "]: ";
                    JsonNode n = licenses.get(i);
                    if (!n.isObject()) {
                        throw new Invalid(file + ": " + where + "must be a mapping, got " + kind(n) + ".");
                    }
                    checkKeys(n, LICENSE, where, "licenseTests");
                    LicenseTest test = new LicenseTest(bool(n, "debian", where, false), strings(n, "files", where));
                    tests.add(planned(new Item(n, "license", where), test, global));
                }
            }
            return tests;
        }

        private record Item(JsonNode node, String name, String where) {
        }

        private List<Item> items(JsonNode root, String section) {
            JsonNode list = root.get(section);
            if (list == null || list.isNull()) {
                return List.of();
            }
            if (!list.isArray()) {
                throw new Invalid(file + ": field \"" + section + "\" must be a list of tests, got " + kind(list) + ".");
            }
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                JsonNode n = list.get(i);
                String anonymous = section + "[" + i + "]";
                if (!n.isObject()) {
                    throw new Invalid(file + ": " + anonymous + " must be a mapping, got " + kind(n) + ".");
                }
                JsonNode name = n.get("name");
                String where = name != null && name.isValueNode() && !name.asText().isBlank()
                        ? section + " test \"" + name.asText() + "\": " : anonymous + ": ";
                if (name == null || name.isNull() || (name.isValueNode() && name.asText().isBlank())) {
                    throw new Invalid(file + ": " + where + "field \"name\" is required.");
                }
                if (!name.isValueNode()) {
                    throw new Invalid(file + ": " + where + "field \"name\" must be a string, got " + kind(name) + ".");
                }
                items.add(new Item(n, name.asText(), where));
            }
            return items;
        }

        private PlannedTest planned(Item item, StructureTest test, List<EnvVar> global) {
            String base = fileCase + "." + slug(item.name, "test");
            String testCase = base;
            for (int n = 2; !usedCases.add(testCase); n++) {
                testCase = base + "-" + n;
            }
            String label = item.where.substring(0, item.where.length() - 2);
            return new PlannedTest(testCase, file, label, test, global, runOptions);
        }

        private CommandTest command(JsonNode n, String where) {
            String command;
            List<String> args;
            if (v1) {
                // 1.0.0: command is the whole argv, e.g. command: ["echo", "hello"]
                checkKeys(n, COMMAND_V1, where, "schemaVersion 1.0.0 commandTests");
                List<String> argv = strings(n, "command", where);
                if (argv.isEmpty() || argv.get(0).isEmpty()) {
                    throw new Invalid(file + ": " + where + "field \"command\" is required (schemaVersion 1.0.0: a list like [\"echo\", \"hello\"]).");
                }
                command = argv.get(0);
                args = List.copyOf(argv.subList(1, argv.size()));
            } else {
                checkKeys(n, COMMAND, where, "commandTests");
                command = requiredString(n, "command", where);
                args = strings(n, "args", where);
            }
            return new CommandTest(n.get("name").asText(), command, args, keyValues(n, "envVars", where),
                    commands(n, "setup", where), commands(n, "teardown", where),
                    regexes(n, "expectedOutput", where), regexes(n, "excludedOutput", where),
                    regexes(n, "expectedError", where), regexes(n, "excludedError", where),
                    integer(n, "exitCode", where, 0));
        }

        private FileExistenceTest existence(JsonNode n, String where) {
            checkKeys(n, v1 ? EXISTENCE_V1 : EXISTENCE, where, v1 ? "schemaVersion 1.0.0 fileExistenceTests" : "fileExistenceTests");
            String path = absolutePath(n, where);
            String permissions = string(n, "permissions", where);
            if (permissions != null && !permissions.matches("[dalTLDpSugct?-]*[-r][-w][-x][-r][-w][-x][-r][-w][-x]")) {
                throw new Invalid(file + ": " + where + "field \"permissions\" must look like \"-rwxr-xr-x\", got \""
                        + permissions + "\".");
            }
            String executableBy = string(n, "isExecutableBy", where);
            if (executableBy != null && !EXECUTABLE_BY.contains(executableBy)) {
                throw new Invalid(file + ": " + where + "field \"isExecutableBy\" must be one of any, owner, group, other, got \""
                        + executableBy + "\".");
            }
            Integer uid = n.has("uid") && !n.get("uid").isNull() ? integer(n, "uid", where, 0) : null;
            Integer gid = n.has("gid") && !n.get("gid").isNull() ? integer(n, "gid", where, 0) : null;
            return new FileExistenceTest(n.get("name").asText(), path, bool(n, "shouldExist", where, true), permissions,
                    uid, gid, executableBy);
        }

        private FileContentTest content(JsonNode n, String where) {
            checkKeys(n, CONTENT, where, "fileContentTests");
            return new FileContentTest(n.get("name").asText(), absolutePath(n, where),
                    regexes(n, "expectedContents", where), regexes(n, "excludedContents", where));
        }

        private MetadataTest metadata(JsonNode n, String where) {
            for (String old : List.of("env", "unboundEnv")) {
                if (n.has(old)) {
                    String now = old.equals("env") ? "envVars" : "unboundEnvVars";
                    throw new Invalid(file + ": " + where + "unknown field \"" + old + "\"; container-structure-test renamed it \""
                            + now + "\" in 1.13.0 and its current release refuses \"" + old + "\" too; write \"" + now + "\".");
                }
            }
            checkKeys(n, METADATA, where, "metadataTest");
            List<String> entrypoint = n.has("entrypoint") && !n.get("entrypoint").isNull() ? strings(n, "entrypoint", where) : null;
            List<String> cmd = n.has("cmd") && !n.get("cmd").isNull() ? strings(n, "cmd", where) : null;
            return new MetadataTest(keyValues(n, "envVars", where), keyValues(n, "unboundEnvVars", where),
                    keyValues(n, "labels", where),
                    strings(n, "exposedPorts", where), strings(n, "unexposedPorts", where), strings(n, "volumes", where),
                    strings(n, "unmountedVolumes", where), entrypoint, cmd, string(n, "workdir", where),
                    string(n, "user", where));
        }

        /**
         * container-structure-test's {@code containerRunOptions}: {@code user}, {@code allocateTty} and {@code envFile}
         * (read from the source's {@code tests/} directory, as container-structure-test reads it relative to where it
         * runs, usually the repository) are honoured, and {@code envVars} for the names the operator lets through
         * ({@code kiln.qa.pass-env}: qa's environment holds its credentials). QA runs images on shared builders
         * without network, host paths or privileges, so {@code privileged}, {@code capabilities} and
         * {@code bindMounts} make the file an ERROR saying so, as does an {@code envVars} name not let through.
         */
        private RunOptions runOptions(JsonNode n, String where) {
            if (!n.isObject()) {
                throw new Invalid(file + ": field \"containerRunOptions\" must be a mapping, got " + kind(n) + ".");
            }
            checkKeys(n, RUN_OPTIONS, where, "containerRunOptions");
            String isolated = "Kiln's QA runs images isolated on shared builders (no network, no host paths, no extra "
                    + "privileges), so ";
            if (bool(n, "privileged", where, false)) {
                throw new Invalid(file + ": " + where + "field \"privileged\" is true; " + isolated
                        + "tests cannot ask for a privileged container: remove it, or run this file outside Kiln.");
            }
            if (!strings(n, "capabilities", where).isEmpty()) {
                throw new Invalid(file + ": " + where + "field \"capabilities\" is set; " + isolated
                        + "tests cannot add kernel capabilities: remove it, or run this file outside Kiln.");
            }
            if (!strings(n, "bindMounts", where).isEmpty()) {
                throw new Invalid(file + ": " + where + "field \"bindMounts\" is set; " + isolated
                        + "tests cannot mount paths of the build machine: copy what the test needs into the image instead.");
            }
            List<EnvVar> env = new ArrayList<>();
            String user = string(n, "user", where);
            String envFile = string(n, "envFile", where);
            if (envFile != null && !envFile.isEmpty()) {
                String name = envFile.startsWith("./") ? envFile.substring(2) : envFile;
                if (!ENV_FILE.matcher(name).matches()) {
                    throw new Invalid(file + ": " + where + "field \"envFile\" is \"" + envFile + "\"; Kiln reads it "
                            + "from the source's tests/ directory, like the test files: write e.g. \"tests/envfile\".");
                }
                String text = sourceFiles.get(name);
                if (text == null) {
                    throw new Invalid(file + ": " + where + "field \"envFile\" names " + name
                            + ", which is not in the source; add it, or remove envFile.");
                }
                env.addAll(dotenv(name, text, where));
            }
            for (String name : strings(n, "envVars", where)) {
                if (!passEnv.allowed().contains(name)) {
                    throw new Invalid(file + ": " + where + "field \"envVars\" names " + Excerpt.of(name)
                            + ", which Kiln's QA does not pass: it hands a test container only the variables of its own "
                            + "environment an administrator lets through (kiln.qa.pass-env); put the value in an envFile "
                            + "under tests/ or in globalEnvVars instead.");
                }
                String value = passEnv.values().get(name);
                if (value != null && !value.isEmpty()) {
                    env.add(new EnvVar(name, value, false)); // as container-structure-test: unset or empty is left out
                }
            }
            return new RunOptions(user == null || user.isEmpty() ? null : user, bool(n, "allocateTty", where, false), env);
        }

        /**
         * An env file as container-structure-test reads one (godotenv): {@code KEY=value} or {@code KEY: value} lines,
         * an optional {@code export}, {@code #} comments, single-quoted values as written, double-quoted ones with
         * {@code \n} and {@code \"} escapes; variables with an empty name or value are left out, as there.
         */
        private List<EnvVar> dotenv(String name, String text, String where) {
            List<EnvVar> vars = new ArrayList<>();
            String[] lines = text.split("\r?\n", -1);
            for (int i = 0; i < lines.length; i++) {
                String line = lines[i].strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                if (line.startsWith("export ")) {
                    line = line.substring(7).strip();
                }
                int eq = line.indexOf('=');
                int colon = line.indexOf(':');
                int sep = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
                String key = sep < 0 ? "" : line.substring(0, sep).strip();
                if (sep < 0 || !ENV_NAME.matcher(key).matches()) {
                    throw new Invalid(file + ": " + where + "envFile " + name + " line " + (i + 1)
                            + " is not KEY=value; fix it or remove it.");
                }
                String value = line.substring(sep + 1).strip();
                if (value.startsWith("'") && value.length() > 1 && value.indexOf('\'', 1) > 0) {
                    value = value.substring(1, value.indexOf('\'', 1));
                } else if (value.startsWith("\"") && value.length() > 1) {
                    StringBuilder out = new StringBuilder();
                    boolean closed = false;
                    for (int j = 1; j < value.length(); j++) {
                        char c = value.charAt(j);
                        if (c == '\\' && j + 1 < value.length()) {
                            char next = value.charAt(++j);
                            out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
                        } else if (c == '"') {
                            closed = true;
                            break;
                        } else {
                            out.append(c);
                        }
                    }
                    if (!closed) {
                        throw new Invalid(file + ": " + where + "envFile " + name + " line " + (i + 1)
                                + " opens a double quote it does not close.");
                    }
                    value = out.toString();
                } else {
                    int comment = value.indexOf(" #");
                    if (comment >= 0) {
                        value = value.substring(0, comment).strip();
                    }
                }
                if (!value.isEmpty()) {
                    vars.add(new EnvVar(key, value, false));
                }
            }
            return vars;
        }

        private void checkKeys(JsonNode n, Set<String> known, String where, String what) {
            for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
                String key = it.next();
                if (!known.contains(key)) {
                    throw new Invalid(file + ": " + where + "unknown field \"" + key + "\"; " + what
                            + " fields are: " + String.join(", ", known) + ".");
                }
            }
        }

        private String absolutePath(JsonNode n, String where) {
            String path = requiredString(n, "path", where);
            if (!path.startsWith("/")) {
                throw new Invalid(file + ": " + where + "field \"path\" must be an absolute path, got \"" + path + "\".");
            }
            return path;
        }

        private String requiredString(JsonNode n, String field, String where) {
            String s = string(n, field, where);
            if (s == null || s.isEmpty()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" is required.");
            }
            return s;
        }

        private String string(JsonNode n, String field, String where) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isValueNode()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" must be a string, got " + kind(v) + ".");
            }
            return v.asText();
        }

        private boolean bool(JsonNode n, String field, String where, boolean fallback) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isBoolean()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" must be true or false, got " + kind(v) + ".");
            }
            return v.booleanValue();
        }

        private int integer(JsonNode n, String field, String where, int fallback) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isInt()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" must be an integer, got " + kind(v) + ".");
            }
            return v.intValue();
        }

        private List<String> strings(JsonNode n, String field, String where) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" must be a list of strings, got " + kind(v) + ".");
            }
            List<String> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                if (!e.isValueNode() || e.isNull()) {
                    throw new Invalid(file + ": " + where + "field \"" + field + "\" item " + (i + 1)
                            + " must be a string, got " + kind(e) + ".");
                }
                out.add(e.asText());
            }
            return out;
        }

        private List<String> regexes(JsonNode n, String field, String where) {
            List<String> list = strings(n, field, where);
            for (String r : list) {
                try {
                    Pattern.compile(r);
                } catch (PatternSyntaxException e) {
                    throw new Invalid(file + ": " + where + "field \"" + field + "\" has an invalid regular expression \""
                            + r + "\" (" + e.getDescription() + ").");
                }
            }
            return list;
        }

        private List<List<String>> commands(JsonNode n, String field, String where) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            String shape = "field \"" + field + "\" must be a list of commands, each a list of strings like [\"touch\", \"/tmp/x\"]";
            if (!v.isArray()) {
                throw new Invalid(file + ": " + where + shape + ", got " + kind(v) + ".");
            }
            List<List<String>> out = new ArrayList<>();
            for (JsonNode c : v) {
                if (!c.isArray() || c.isEmpty()) {
                    throw new Invalid(file + ": " + where + shape + ", got an item that is " + kind(c) + ".");
                }
                List<String> command = new ArrayList<>();
                for (JsonNode part : c) {
                    if (!part.isValueNode() || part.isNull()) {
                        throw new Invalid(file + ": " + where + shape + ", got an item containing " + kind(part) + ".");
                    }
                    command.add(part.asText());
                }
                out.add(command);
            }
            return out;
        }

        private List<EnvVar> keyValues(JsonNode n, String field, String where) {
            JsonNode v = n.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw new Invalid(file + ": " + where + "field \"" + field + "\" must be a list of {key, value} pairs, got "
                        + kind(v) + ".");
            }
            List<EnvVar> out = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                JsonNode e = v.get(i);
                String at = where + "field \"" + field + "\" item " + (i + 1) + ": ";
                if (!e.isObject()) {
                    throw new Invalid(file + ": " + at + "must be a mapping with key and value, got " + kind(e) + ".");
                }
                checkKeys(e, KEY_VALUE, at, field);
                String key = requiredString(e, "key", at);
                String value = string(e, "value", at);
                boolean regex = bool(e, "isRegex", at, false);
                if (regex && value != null) {
                    try {
                        Pattern.compile(value);
                    } catch (PatternSyntaxException x) {
                        throw new Invalid(file + ": " + at + "field \"value\" is not a valid regular expression ("
                                + x.getDescription() + ").");
                    }
                }
                out.add(new EnvVar(key, value == null ? "" : value, regex));
            }
            return out;
        }
    }

    private static Set<String> keys(String... names) {
        return new LinkedHashSet<>(List.of(names));
    }

    private static String kind(JsonNode v) {
        if (v.isArray()) {
            return "a list";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isNull()) {
            return "nothing";
        }
        if (v.isBoolean()) {
            return "the boolean " + v.asText();
        }
        if (v.isNumber()) {
            return "the number " + v.asText();
        }
        return "the string \"" + v.asText() + "\"";
    }

    private static String show(JsonNode v) {
        return v.isTextual() ? "\"" + v.asText() + "\"" : kind(v);
    }
}
