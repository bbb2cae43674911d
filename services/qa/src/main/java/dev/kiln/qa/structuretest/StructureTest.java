package dev.kiln.qa.structuretest;

import java.util.List;

/** One test of a container-structure-test file (schema 2.0.0 or 1.0.0; a 1.0.0 command is split into command and args). */
public sealed interface StructureTest {

    /** {@code commandTests}: run {@code command args} (entrypoint cleared) and check its output and exit code. */
    record CommandTest(String name, String command, List<String> args, List<EnvVar> envVars, List<List<String>> setup,
            List<List<String>> teardown, List<String> expectedOutput, List<String> excludedOutput,
            List<String> expectedError, List<String> excludedError, int exitCode) implements StructureTest {
    }

    /** {@code fileExistenceTests}; {@code uid}, {@code gid}, {@code permissions}, {@code isExecutableBy} may be null. */
    record FileExistenceTest(String name, String path, boolean shouldExist, String permissions, Integer uid,
            Integer gid, String isExecutableBy) implements StructureTest {
    }

    /** {@code fileContentTests}: regexes that must / must not be found in the file. */
    record FileContentTest(String name, String path, List<String> expectedContents, List<String> excludedContents)
            implements StructureTest {
    }

    /** {@code metadataTest}; null means "not checked" ({@code entrypoint: []} checks for an empty entrypoint). */
    record MetadataTest(List<EnvVar> envVars, List<EnvVar> unboundEnvVars, List<EnvVar> labels, List<String> exposedPorts,
            List<String> unexposedPorts, List<String> volumes, List<String> unmountedVolumes, List<String> entrypoint,
            List<String> cmd, String workdir, String user) implements StructureTest {
    }

    /** {@code licenseTests}: with {@code debian}, every {@code /usr/share/doc/<package>} has a copyright file. */
    record LicenseTest(boolean debian, List<String> files) implements StructureTest {
    }
}
