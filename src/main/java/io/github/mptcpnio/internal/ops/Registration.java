package io.github.mptcpnio.internal.ops;

import io.github.mptcpnio.internal.Settings;

import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;
import java.util.List;

/**
 * Registers the {@link MptcpMXBean} in the JVM's platform MBean server — once that server exists. Creating it
 * ourselves ({@code ManagementFactory.getPlatformMBeanServer()}) would initialise JMX and, through the platform's
 * logging MXBean, {@code java.util.logging} before the application had a chance to configure them (WildFly's log
 * manager, for one, must come first). So the views' daemon thread looks, once a second, whether the application, a
 * JMX agent ({@code -Dcom.sun.management.jmxremote}) or a tool attaching (JConsole, {@code jcmd ManagementAgent.start},
 * our {@code status} command) has created it, registers the bean there and ends.
 */
public final class Registration {
    /** The bean's name. */
    public static final String NAME = "io.github.mptcpnio:type=Mptcp";

    /** How often the thread looks for the platform MBean server. */
    static final long PERIOD_MILLIS = 1000;

    private Registration() {}

    /** Waits (on the calling thread, for the JVM's life if need be) for the platform MBean server; registers there. */
    public static void awaitPlatformServer(Settings settings) throws InterruptedException {
        try {
            ObjectName name = new ObjectName(NAME);
            while (true) {
                MBeanServer platform = platformServer();
                if (platform != null) {
                    register(platform, name, settings);
                    return;
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (JMException | RuntimeException e) {
            // the view is an extra: the application runs on without it
        }
    }

    private static void register(MBeanServer platform, ObjectName name, Settings settings) throws JMException {
        try {
            platform.registerMBean(new MptcpBean(settings), name);
        } catch (InstanceAlreadyExistsException twice) {
            // another copy of the library in this JVM registered first: one bean per JVM
        }
    }

    /**
     * The platform MBean server if it exists: the server of {@code MBeanServerFactory}'s list on which the JDK has
     * registered {@code java.lang:type=Runtime} (which {@code getPlatformMBeanServer()} does right after creating it).
     */
    static MBeanServer platformServer() throws JMException {
        ObjectName runtime = new ObjectName("java.lang:type=Runtime");
        List<MBeanServer> servers = MBeanServerFactory.findMBeanServer(null);
        for (MBeanServer s : servers) {
            if (s.isRegistered(runtime)) {
                return s;
            }
        }
        return null;
    }
}
