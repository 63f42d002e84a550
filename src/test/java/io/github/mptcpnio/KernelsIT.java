package io.github.mptcpnio;

import io.github.mptcpnio.internal.KernelRecords;
import io.github.mptcpnio.testing.Forked;
import io.github.mptcpnio.testing.MptcpCondition;
import io.github.mptcpnio.testing.Netns;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels our users run, besides this machine's: Debian 12's Linux 6.1 and Debian 13's 6.12, each booted under
 * qemu (software emulation, no KVM here) by {@code bin/kernel-guest}, with this machine's files shared read-only.
 * In each guest JUnit's console launcher runs {@link #IN_GUEST} with the same JDK, the same jars and
 * {@code MPTCP_REQUIRED=true}: the self-check, availability and fallback, the agent converting every kind of socket
 * (with its rules), introspection, the compatibility probe per launch mode (against that kernel's record) and Netty's
 * native transports. The rest of the suite stays on the host: under emulation a JVM is 5-14 times slower, and the
 * data-path, scale and frameworks tests measure the host's machine rather than the kernel's API.
 *
 * <p>Every test in the guest must pass; a skipped one fails this test too, except Netty's io_uring rows where the
 * guest's kernel lacks io_uring (a kernel feature, reported). The guest's reports are kept in
 * {@code target/kernels/<series>/}. With {@code -Dmptcp.nio.regenerate=true} the guests rewrite their kernels'
 * compatibility records ({@link KernelRecords}) from what they measure.
 */
@Timeout(value = 40, unit = TimeUnit.MINUTES)
class KernelsIT {
    /**
     * The factor the guests stretch their forked JVMs' time limits by: in one CI run on a slower machine (the whole
     * 6.1 guest 1,100 s instead of 440-550 s) one agent JVM with a 30 s limit took 31 s there, its neighbours 20-27 s.
     */
    static final int GUEST_SLOWDOWN = 4;

    /** What runs in every guest, as the console launcher's selectors. */
    static final List<String> IN_GUEST = List.of(
            "--select-class=io.github.mptcpnio.SelfCheckIT",
            "--select-class=io.github.mptcpnio.FallbackIT",
            "--select-class=io.github.mptcpnio.AgentSocketsIT",
            "--select-class=io.github.mptcpnio.IntrospectionIT",
            "--select-class=io.github.mptcpnio.CompatibilityIT",
            // Netty's echo with mode=both: 4.1 epoll, 4.2 epoll, 4.2 io_uring (the other modes are the same hooks)
            "--select-iteration=method:io.github.mptcpnio.NativeTransportsIT#echoRunsOnMptcpByRole(java.lang.String,"
                    + "java.lang.String,java.lang.String)[0,3,6]");

    /** The simple name of the class a selector of {@link #IN_GUEST} names. */
    private static final Pattern SELECTED_CLASS = Pattern.compile("io\\.github\\.mptcpnio\\.(\\w+)");

    /** A guest's time limit: the subset took about 9 minutes per kernel in CI here (README, tests). */
    private static final int GUEST_SECONDS = 1800;

    @BeforeAll
    static void qemuAndTheKernels() {
        for (String tool : new String[] {"qemu-system-x86_64", "busybox", "depmod", "apt-get"}) {
            if (Netns.which(tool).isEmpty()) {
                String why = "'" + tool + "' not found: bin/kernel-guest needs qemu-system-x86, busybox-static and "
                        + "kmod (apt-get install; .ci/run does)";
                if (MptcpCondition.required()) {
                    throw new IllegalStateException("MPTCP_REQUIRED=true but " + why);
                }
                Assumptions.abort(why);
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            Assumptions.abort("bin/kernel-guest fetches kernels into /var/cache and the guests need root's tests");
        }
    }

    /**
     * The kernels to boot: {@code mptcp.nio.test.kernels}, by default both. {@code .ci/run} pairs them with the JDKs
     * their distributions ship: 6.1 on the JDK 17 pass (Debian 12), 6.12 on the JDK 25 pass (Debian 13 and RHEL 10
     * ship 21 and 25), which keeps CI's time in bounds; a developer's {@code mvn verify} boots both.
     */
    static List<String> kernels() {
        List<String> out = new ArrayList<>();
        for (String k : System.getProperty("mptcp.nio.test.kernels", "6.1,6.12").split(",")) {
            if (!k.isBlank()) {
                out.add(k.trim());
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("mptcp.nio.test.kernels names no kernel (6.1, 6.12 or both)");
        }
        return out;
    }

    @ParameterizedTest(name = "Linux {0}")
    @MethodSource("kernels")
    void theSubsetPassesInAGuest(String series) throws Exception {
        Path reports = Path.of("target", "kernels", series).toAbsolutePath();
        Files.createDirectories(reports);
        try (var old = Files.list(reports)) {
            for (Path p : old.toList()) {
                Files.delete(p);
            }
        }
        List<String> cmd = new ArrayList<>(List.of("bin/kernel-guest", "--timeout", String.valueOf(GUEST_SECONDS),
                "--writable", reports.toString()));
        boolean regenerate = Boolean.getBoolean("mptcp.nio.regenerate");
        if (regenerate) { // CompatibilityIT rewrites this kernel's record from what it measures
            cmd.addAll(List.of("--writable", KernelRecords.file(series).toAbsolutePath().getParent().toString()));
        }
        cmd.addAll(List.of(series, "--", Forked.javaBin(), "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--enable-native-access=ALL-UNNAMED", "-Dmptcp.nio.regenerate=" + regenerate,
                // forked JVMs' limits stretched: under emulation a JVM is 5-14 times slower (Forked.SLOWDOWN)
                "-Dmptcp.nio.test.slowdown=" + GUEST_SLOWDOWN));
        for (String property : new String[] {"mptcp.nio.test.jar", "mptcp.nio.test.alljar", "mptcp.nio.test.netty41"}) {
            cmd.add("-D" + property + "=" + System.getProperty(property));
        }
        cmd.addAll(List.of("-cp", Forked.testClassPath(), "org.junit.platform.console.ConsoleLauncher", "execute",
                "--disable-banner", "--disable-ansi-colors", "--details=tree", "--include-engine=junit-jupiter",
                "--reports-dir=" + reports,
                // the tests' own time limits are the host's; the guest as a whole is bounded by --timeout
                "--config=junit.jupiter.execution.timeout.mode=disabled"));
        cmd.addAll(IN_GUEST);

        long start = System.nanoTime();
        Forked.Result r = Forked.exec(cmd, GUEST_SECONDS + 120);
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        Files.writeString(reports.resolve("output.txt"), r.stdout() + "\n--- stderr\n" + r.stderr());
        System.out.println("Linux " + series + " guest: exit " + r.exit() + " after " + seconds + " s\n" + r.stdout()
                + r.stderr());

        Path xml = reports.resolve("TEST-junit-jupiter.xml");
        assertTrue(Files.isRegularFile(xml), () -> "no report from the guest (exit " + r.exit() + "):\n" + r);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
        NodeList cases = doc.getElementsByTagName("testcase");
        Map<String, Integer> perClass = new TreeMap<>();
        List<String> failed = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < cases.getLength(); i++) {
            Element c = (Element) cases.item(i);
            String cls = c.getAttribute("classname").replaceFirst(".*\\.", "");
            String name = cls + "." + c.getAttribute("name");
            perClass.merge(cls, 1, Integer::sum);
            if (c.getElementsByTagName("failure").getLength() + c.getElementsByTagName("error").getLength() > 0) {
                failed.add(name);
            }
            if (c.getElementsByTagName("skipped").getLength() > 0) {
                skipped.add(name + ": " + ((Element) c.getElementsByTagName("skipped").item(0)).getAttribute("message"));
            }
        }
        System.out.println("Linux " + series + " guest: tests per class " + perClass + ", skipped " + skipped);
        assertEquals(List.of(), failed, () -> "failed in the Linux " + series + " guest; its output:\n" + r);
        for (String s : skipped) {
            assertTrue(s.contains("io_uring"), () -> "skipped in the Linux " + series + " guest: " + s);
        }
        for (String selector : IN_GUEST) {
            Matcher m = SELECTED_CLASS.matcher(selector);
            assertTrue(m.find(), selector);
            String cls = m.group(1);
            assertTrue(perClass.getOrDefault(cls, 0) > 0, () -> cls + " did not run in the guest: " + perClass);
        }
        assertEquals(0, r.exit(), () -> "the guest's launcher exited " + r.exit() + ":\n" + r);
    }
}
