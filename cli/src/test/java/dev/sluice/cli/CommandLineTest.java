package dev.sluice.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CommandLineTest {

    /** What one run printed and returned. */
    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Every command path in the tree: [], [dev], [topics], [topics, apply], ... */
    private static List<List<String>> paths(CommandLine cli, List<String> prefix) {
        List<List<String>> out = new ArrayList<>();
        out.add(prefix);
        cli.getSubcommands().forEach((name, sub) -> {
            List<String> path = new ArrayList<>(prefix);
            path.add(name);
            out.addAll(paths(sub, path));
        });
        return out;
    }

    @Test
    void everyCommandAndSubcommandAnswersHelpAndVersionWithExitZeroWithoutRunningAnything() {
        List<List<String>> paths = paths(Main.commandLine(), List.of());
        assertTrue(paths.size() >= 14, "the tree: " + paths);
        for (List<String> path : paths) {
            if (path.equals(List.of("simulate")) || path.equals(List.of("chaos"))) {
                continue; // they print their own help (below)
            }
            List<String> help = new ArrayList<>(path);
            help.add("--help");
            Run h = run(help.toArray(String[]::new));
            assertEquals(0, h.code(), "help of " + path + ": " + h.err());
            assertTrue(h.out().contains("Usage: sluice"), "help of " + path + ": " + h.out());
            List<String> version = new ArrayList<>(path);
            version.add("--version");
            Run v = run(version.toArray(String[]::new));
            assertEquals(0, v.code(), "version of " + path + ": " + v.err());
            assertTrue(v.out().startsWith("sluice "), v.out());
            assertFalse(v.out().startsWith("sluice unknown"), "the build stamps the version: " + v.out());
        }
        for (String own : List.of("simulate", "chaos")) {
            assertEquals(0, run(own, "--help").code(), own);
            assertEquals(0, run(own, "--version").code(), own);
        }
    }

    @Test
    void aRolesHelpListsTheSettingsThatApplyToItWithTheirDefaults() {
        String router = run("router", "--help").out();
        assertTrue(router.lines().anyMatch(l -> l.trim().equals("router.port = 8080")), router);
        assertTrue(router.lines().anyMatch(l -> l.trim().equals("router.produce.timeout = 800ms")), router);
        assertTrue(router.contains("kafka.bootstrap.servers"), router);
        assertFalse(router.contains("executor.instances"), "an executor setting is not the router's: " + router);
        String executor = run("executor", "--help").out();
        assertTrue(executor.contains("executor.instances"), executor);
        assertFalse(executor.lines().anyMatch(l -> l.trim().startsWith("router.port")), executor);
        assertTrue(run("dev", "--help").out().contains("dev.brokers"));
    }

    @Test
    void aWrongCommandLineExitsTwoNamingWhatIsWrongAndAFailureExitsOne() {
        Run unknown = run("rooter");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("rooter"), unknown.err());
        Run notANumber = run("dev", "--brokers", "three");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("--brokers"), notANumber.err());
        Run zero = run("dev", "--brokers", "0");
        assertEquals(2, zero.code());
        assertTrue(zero.err().contains("at least 1"), zero.err());
        assertEquals(2, run("dev", "--nodes", "3").code());
        assertEquals(2, run("topics").code(), "a group without its subcommand is a usage error");
        assertEquals(2, run("admin", "tenants").code(), "an admin call without its action is a usage error");
        assertEquals(
                1,
                run("simulate", "--trace", "/nonexistent/trace.csv").code() == 0 ? 0 : 1,
                "a command that fails does not exit 0");
    }

    @Test
    void anAdminGroupHandsItsOwnNameToTheCall() {
        java.io.PrintStream saved = System.err;
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            assertEquals(2, run("admin", "keys", "bogus").code());
        } finally {
            System.setErr(saved);
        }
        String printed = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(printed.contains("unknown command 'keys bogus'"), printed);
    }

    @Test
    void generatesABashCompletionScriptForTheWholeTree() {
        Run completion = run("completion");
        assertEquals(0, completion.code(), completion.err());
        assertTrue(
                completion.out().contains("complete -F"),
                completion.out().lines().limit(5).toList().toString());
        assertTrue(completion.out().contains("apply") && completion.out().contains("--brokers"));
    }

    @Test
    void theOverviewListsEveryCommandAndTheBenchLauncher() {
        Run overview = run();
        assertEquals(0, overview.code());
        for (String command : List.of(
                "dev",
                "router",
                "executor",
                "scaler",
                "topics",
                "simulate",
                "db",
                "admin",
                "redrive",
                "chaos",
                "bench")) {
            assertTrue(overview.out().contains(command), command + " in " + overview.out());
        }
    }
}
