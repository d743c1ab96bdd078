package org.camloss.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The start-up check of the {@code camloss.*} switch properties: every misspelt name or value is one clear error. */
class SwitchPropertiesTest {

    private static Properties of(String... keyValues) {
        Properties p = new Properties();
        p.setProperty("java.version", "17"); // the JVM's own properties are none of its business
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    @Test
    void everySwitchAcceptsEachOfItsValues() {
        for (Map.Entry<String, List<String>> e : SwitchProperties.SWITCHES.entrySet()) {
            for (String v : e.getValue()) {
                assertEquals(Optional.empty(), SwitchProperties.problem(of(e.getKey(), v)), e.getKey() + "=" + v);
            }
        }
        assertEquals(Optional.empty(), SwitchProperties.problem(of("camloss.home", "/opt/camloss")), "the launcher's");
        assertEquals(Optional.empty(), SwitchProperties.problem(of()), "none set");
    }

    @Test
    void everySwitchRefusesAnotherValueNamingItsChoices() {
        for (Map.Entry<String, List<String>> e : SwitchProperties.SWITCHES.entrySet()) {
            List<String> valid = e.getValue();
            for (String bad : List.of("off", "", valid.get(1).toUpperCase(java.util.Locale.ROOT))) {
                String message = SwitchProperties.problem(of(e.getKey(), bad)).orElseThrow();
                assertEquals(
                        "-D" + e.getKey() + ": '" + bad + "' is not a valid value; choose " + valid.get(0) + " or "
                                + valid.get(1) + " (" + valid.get(0) + " is the default)",
                        message);
            }
        }
    }

    @Test
    void ompNumThreadsMustBeAPositiveWholeNumber() {
        assertEquals(Optional.empty(), SwitchProperties.environmentProblem(Map.of()), "unset");
        assertEquals(Optional.empty(), SwitchProperties.environmentProblem(Map.of("OMP_NUM_THREADS", "2")));
        assertEquals(Optional.empty(), SwitchProperties.environmentProblem(Map.of("OMP_NUM_THREADS", "16")));
        for (String bad : List.of("abc", "0", "4,2", "", "-1", " 2", "2.5", "99999999999")) {
            assertEquals(
                    "OMP_NUM_THREADS='" + bad + "' is not a positive whole number (the threads of ND4J's OpenMP pool,"
                            + " e.g. OMP_NUM_THREADS=2); unset it to use every core",
                    SwitchProperties.environmentProblem(Map.of("OMP_NUM_THREADS", bad))
                            .orElse("accepted"),
                    bad);
        }
    }

    @Test
    void aMisspeltSwitchIsRefusedListingTheSwitches() {
        String message = SwitchProperties.problem(of("camloss.updtaer", "dl4j")).orElseThrow();
        assertTrue(message.startsWith("-Dcamloss.updtaer: unknown camloss switch; the switches are "), message);
        for (Map.Entry<String, List<String>> e : SwitchProperties.SWITCHES.entrySet()) {
            assertTrue(message.contains(e.getKey() + "=" + String.join("|", e.getValue())), message);
        }
    }

    @Test
    void theCommandLineStopsWithExitStatus2BeforeDoingAnything() {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setProperty("camloss.updater", "off");
        try {
            System.setOut(new PrintStream(out, true));
            System.setErr(new PrintStream(err, true));
            assertEquals(2, Main.run("plugins"));
        } finally {
            System.clearProperty("camloss.updater");
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
        assertEquals("", out.toString(), "nothing else ran");
        assertEquals(
                "error: -Dcamloss.updater: 'off' is not a valid value; choose host or dl4j (host is the default)"
                        + System.lineSeparator(),
                err.toString());
    }
}
