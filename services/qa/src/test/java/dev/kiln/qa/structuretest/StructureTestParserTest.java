package dev.kiln.qa.structuretest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.qa.structuretest.StructureTest.CommandTest;
import dev.kiln.qa.structuretest.StructureTest.FileExistenceTest;
import dev.kiln.qa.structuretest.StructureTest.MetadataTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StructureTestParserTest {

    @Test
    void aValidFileBecomesNamedTestCases() {
        TestFile f = StructureTestParser.parse("tests/My App.yaml", """
                schemaVersion: "2.0.0"
                globalEnvVars:
                  - key: A
                    value: b
                commandTests:
                  - name: "Say Hello!"
                    command: echo
                    args: [hello]
                    expectedOutput: ["hel+o"]
                  - name: say hello
                    command: "true"
                    setup: [["touch", "/tmp/x"]]
                fileExistenceTests:
                  - name: run script
                    path: /app/run.sh
                    permissions: "-rwxr-xr-x"
                    uid: 0
                    isExecutableBy: other
                fileContentTests:
                  - name: conf
                    path: /app/app.conf
                    expectedContents: ["port=8080"]
                metadataTest:
                  exposedPorts: ["8080"]
                  entrypoint: []
                licenseTests:
                  - debian: true
                """);
        assertNull(f.error());
        assertEquals(List.of("kiln.cst.my-app.say-hello", "kiln.cst.my-app.say-hello-2", "kiln.cst.my-app.run-script",
                "kiln.cst.my-app.conf", "kiln.cst.my-app.metadata", "kiln.cst.my-app.license"),
                f.tests().stream().map(PlannedTest::testCase).toList());
        CommandTest c = (CommandTest) f.tests().get(0).test();
        assertEquals(List.of("hello"), c.args());
        assertEquals(0, c.exitCode());
        assertEquals("A", f.tests().get(0).globalEnvVars().get(0).key());
        FileExistenceTest e = (FileExistenceTest) f.tests().get(2).test();
        assertTrue(e.shouldExist());
        assertEquals(0, e.uid());
        assertNull(e.gid());
        for (PlannedTest t : f.tests()) {
            assertTrue(t.testCase().matches("[a-z0-9]+([._-][a-z0-9]+)*"), t.testCase());
        }
    }

    @Test
    void anUnknownKeyNamesFileTestAndField() {
        TestFile f = StructureTestParser.parse("tests/app.yaml", """
                schemaVersion: 2.0.0
                commandTests:
                  - name: say hello
                    command: echo
                    expectedOuput: ["hello"]
                """);
        assertFalse(f.isValid());
        assertEquals("kiln.cst.app", f.testCase());
        assertTrue(f.error().startsWith("tests/app.yaml: commandTests test \"say hello\": unknown field \"expectedOuput\"; "
                + "commandTests fields are: name, command, args"), f.error());
    }

    @Test
    void aWrongTypeNamesFileTestAndField() {
        TestFile f = StructureTestParser.parse("tests/app.yaml", """
                schemaVersion: "2.0.0"
                commandTests:
                  - name: exits
                    command: "true"
                    exitCode: zero
                """);
        assertEquals("tests/app.yaml: commandTests test \"exits\": field \"exitCode\" must be an integer, got the string \"zero\".",
                f.error());
        TestFile list = StructureTestParser.parse("tests/files.yml", """
                schemaVersion: "2.0.0"
                fileExistenceTests:
                  - name: conf
                    path: [/etc/conf]
                """);
        assertEquals("kiln.cst.files", list.testCase());
        assertEquals("tests/files.yml: fileExistenceTests test \"conf\": field \"path\" must be a string, got a list.", list.error());
        TestFile bool = StructureTestParser.parse("tests/app.yaml", """
                schemaVersion: "2.0.0"
                fileExistenceTests:
                  - name: conf
                    path: /etc/conf
                    shouldExist: "yes please"
                """);
        assertEquals("tests/app.yaml: fileExistenceTests test \"conf\": field \"shouldExist\" must be true or false, "
                + "got the string \"yes please\".", bool.error());
    }

    @Test
    void anUnknownSchemaVersionIsRefused() {
        TestFile f = StructureTestParser.parse("tests/new.yaml", "schemaVersion: \"3.0.0\"\ncommandTests: []\n");
        assertEquals("tests/new.yaml: field \"schemaVersion\" is \"3.0.0\", which is not supported; Kiln reads schemaVersion "
                + "\"2.0.0\" or \"1.0.0\".", f.error());
        assertTrue(StructureTestParser.parse("tests/none.yaml", "commandTests: []\n").error().contains("\"schemaVersion\" is missing"));
    }

    @Test
    void schemaVersion1FilesAreRead() {
        TestFile f = StructureTestParser.parse("tests/old.yaml", """
                schemaVersion: 1.0.0
                globalEnvVars:
                  - key: A
                    value: b
                commandTests:
                  - name: echo
                    command: ["echo", "hello", "$A"]
                    envVars:
                      - key: X
                        value: "1"
                    setup: [["touch", "/tmp/x"]]
                    teardown: [["rm", "/tmp/x"]]
                    expectedOutput: ["hello"]
                    excludedOutput: ["bye"]
                    expectedError: []
                    excludedError: ["oops"]
                    exitCode: 0
                fileExistenceTests:
                  - name: sh
                    path: /bin/sh
                    shouldExist: true
                    permissions: "-rwxr-xr-x"
                fileContentTests:
                  - name: passwd
                    path: /etc/passwd
                    expectedContents: ["root"]
                    excludedContents: ["nobody-else"]
                licenseTests:
                  - debian: false
                    files: ["/etc/passwd"]
                """);
        assertNull(f.error());
        assertEquals(List.of("kiln.cst.old.echo", "kiln.cst.old.sh", "kiln.cst.old.passwd", "kiln.cst.old.license"),
                f.tests().stream().map(PlannedTest::testCase).toList());
        CommandTest c = (CommandTest) f.tests().get(0).test();
        assertEquals("echo", c.command());
        assertEquals(List.of("hello", "$A"), c.args());
        assertEquals(List.of(List.of("touch", "/tmp/x")), c.setup());
        assertEquals("X", c.envVars().get(0).key());
        FileExistenceTest e = (FileExistenceTest) f.tests().get(1).test();
        assertEquals("-rwxr-xr-x", e.permissions());
        assertNull(e.uid());
    }

    @Test
    void schemaVersion1HasOnlyItsOwnKeys() {
        // container-structure-test unmarshals strictly: keys of 2.0.0 that 1.0.0 lacks are errors there too
        assertTrue(StructureTestParser.parse("tests/old.yaml", "schemaVersion: \"1.0.0\"\nmetadataTest:\n  cmd: []\n").error()
                .startsWith("tests/old.yaml: unknown field \"metadataTest\"; schemaVersion 1.0.0 top-level fields are:"));
        assertTrue(StructureTestParser.parse("tests/old.yaml", "schemaVersion: \"1.0.0\"\ncommandTests:\n  - name: a\n    command: [ls]\n    args: [/]\n")
                .error().startsWith("tests/old.yaml: commandTests test \"a\": unknown field \"args\"; schemaVersion 1.0.0 commandTests"));
        assertTrue(StructureTestParser.parse("tests/old.yaml", "schemaVersion: \"1.0.0\"\ncommandTests:\n  - name: a\n    command: ls\n")
                .error().contains("field \"command\" must be a list of strings"));
        assertTrue(StructureTestParser.parse("tests/old.yaml", "schemaVersion: \"1.0.0\"\nfileExistenceTests:\n  - name: a\n    path: /a\n    uid: 0\n")
                .error().contains("unknown field \"uid\"; schemaVersion 1.0.0 fileExistenceTests fields are: name, path, shouldExist, permissions."));
    }

    @Test
    void metadataUnboundEnvVarsAreReadAndTheRemovedEnvKeyIsRefusedAsTheCurrentReleaseDoes() {
        TestFile f = StructureTestParser.parse("tests/m.yaml", """
                schemaVersion: "2.0.0"
                metadataTest:
                  envVars:
                    - key: PATH
                      value: "^/"
                      isRegex: true
                  unboundEnvVars:
                    - key: SECRET
                  unmountedVolumes: ["/tmp"]
                """);
        assertNull(f.error());
        MetadataTest m = (MetadataTest) f.tests().get(0).test();
        assertEquals("SECRET", m.unboundEnvVars().get(0).key());
        assertEquals(List.of("/tmp"), m.unmountedVolumes());
        assertTrue(m.envVars().get(0).isRegex());
        String env = StructureTestParser.parse("tests/m.yaml", "schemaVersion: \"2.0.0\"\nmetadataTest:\n  env:\n    - key: A\n      value: b\n").error();
        assertTrue(env.startsWith("tests/m.yaml: metadataTest: unknown field \"env\"; container-structure-test renamed it \"envVars\""), env);
    }

    @Test
    void otherMistakesAreSentencesToo() {
        assertTrue(StructureTestParser.parse("tests/a.yaml", "schemaVersion: \"2.0.0\"\ncommandTests:\n  - command: ls\n").error()
                .equals("tests/a.yaml: commandTests[0]: field \"name\" is required."));
        assertTrue(StructureTestParser.parse("tests/a.yaml", "schemaVersion: \"2.0.0\"\nextra: 1\n").error()
                .startsWith("tests/a.yaml: unknown field \"extra\"; top-level fields are:"));
        assertTrue(StructureTestParser.parse("tests/a.yaml", "schemaVersion: [\n").error()
                .startsWith("tests/a.yaml: is not valid YAML at line"));
        assertEquals("tests/a.yaml: metadataTest: field \"labels\" item 1: unknown field \"val\"; labels fields are: key, value, isRegex.",
                StructureTestParser.parse("tests/a.yaml", "schemaVersion: \"2.0.0\"\nmetadataTest:\n  labels:\n    - key: a\n      val: b\n").error());
        assertEquals("tests/a.yaml: commandTests test \"re\": field \"expectedOutput\" has an invalid regular expression \"(\" (Unclosed group).",
                StructureTestParser.parse("tests/a.yaml", "schemaVersion: \"2.0.0\"\ncommandTests:\n  - name: re\n    command: ls\n    expectedOutput: [\"(\"]\n").error());
    }

    @Test
    void containerRunOptions() {
        // container-structure-test's own tests/*containeropts*.yaml
        TestFile user = StructureTestParser.parse("tests/user.yaml", """
                schemaVersion: '2.0.0'
                commandTests:
                - name: 'apt-get'
                  command: 'bash'
                  args: [-c, "whoami"]
                containerRunOptions:
                  user: 'root'
                """);
        assertNull(user.error());
        assertEquals("root", user.tests().get(0).runOptions().user());
        TestFile envFile = StructureTestParser.parse("tests/envfile.yaml", """
                schemaVersion: '2.0.0'
                commandTests:
                - name: "Test envFile containerRunOptions"
                  command: "printenv"
                containerRunOptions:
                  envFile: tests/envfile
                """, Map.of("tests/envfile", "FOO=keepitsecret!\nBAR=keepitsafe!\n"));
        assertNull(envFile.error());
        assertEquals(List.of("FOO", "BAR"), envFile.tests().get(0).runOptions().env().stream().map(v -> v.key()).toList());
        assertTrue(StructureTestParser.parse("tests/envfile.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  envFile: tests/envfile
                """).error().contains("names tests/envfile, which is not in the source"));
        assertTrue(StructureTestParser.parse("tests/envfile.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  envFile: /etc/passwd
                """).error().contains("from the source's tests/ directory"));
        String env = StructureTestParser.parse("tests/env.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  envVars: [FOO, BAR]
                """).error();
        assertTrue(env.contains("\"FOO\", which Kiln's QA does not pass") && env.contains("kiln.qa.pass-env"), env);
        // container-structure-test's containeropts_env test, with the operator letting FOO and BAR through
        TestFile passed = StructureTestParser.parse("tests/env.yaml", """
                schemaVersion: '2.0.0'
                commandTests:
                - name: "Test envVars containerRunOptions"
                  command: "printenv"
                containerRunOptions:
                  envVars: [FOO, BAR]
                """, Map.of(), new StructureTestParser.PassEnv(java.util.Set.of("FOO", "BAR"),
                Map.of("FOO", "keepitsecret!")));
        assertNull(passed.error());
        assertEquals(List.of("FOO=keepitsecret!"), passed.tests().get(0).runOptions().env().stream()
                .map(v -> v.key() + "=" + v.value()).toList(), "BAR is unset in qa's environment: left out");
        String privileged = StructureTestParser.parse("tests/caps.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  privileged: true
                  capabilities: ["sys_admin"]
                  bindMounts: ["/tmp/test:/tmp/test"]
                """).error();
        assertTrue(privileged.contains("\"privileged\" is true") && privileged.contains("isolated"), privileged);
        assertTrue(StructureTestParser.parse("tests/mounts.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  bindMounts: ["/:/host"]
                """).error().contains("cannot mount paths of the build machine"));
        assertTrue(StructureTestParser.parse("tests/typo.yaml", """
                schemaVersion: '2.0.0'
                containerRunOptions:
                  tty: true
                """).error().contains("unknown field \"tty\"; containerRunOptions fields are: user, privileged, allocateTty"));
        assertTrue(StructureTestParser.parse("tests/old.yaml", """
                schemaVersion: '1.0.0'
                containerRunOptions:
                  user: root
                """).error().contains("unknown field \"containerRunOptions\""));
    }
}
