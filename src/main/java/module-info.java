/**
 * Multipath TCP for unmodified Java NIO applications. Exports the API package only; there is deliberately no
 * {@code provides java.nio.channels.spi.SelectorProvider}: putting the library on a path changes nothing, the
 * system property is the only switch.
 */
module io.github.mptcpnio {
    requires org.jnrproject.jffi;
    requires jdk.unsupported;
    requires static java.instrument; // only the -javaagent entry point uses it, and -javaagent resolves it
    requires static org.objectweb.asm; // likewise: only the agent rewrites classes
    // operators' views (internal.ops): used only when these modules are in the boot layer (Observability checks)
    requires static java.management;
    requires static jdk.jfr;
    requires static jdk.attach; // the status command
    requires static java.rmi; // likewise: it reads the port of the JMX connector it uses

    exports io.github.mptcpnio;
}
