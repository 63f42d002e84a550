package apps.netty;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

/**
 * What an unmodified application can see of mptcp-nio without importing it: the agent's JMX bean, read through the
 * platform MBean server (created here, so the agent registers its bean within about a second).
 */
final class AgentView {
    private AgentView() {}

    /**
     * Prints {@code kinds={...}}, the sockets created as MPTCP by kind, and {@code userTimeoutsNotApplied=N};
     * {@code kinds=none} without the bean.
     */
    static void printKinds() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName("io.github.mptcpnio:type=Mptcp");
        for (int i = 0; i < 50 && !server.isRegistered(name); i++) {
            Thread.sleep(100);
        }
        if (!server.isRegistered(name)) {
            System.out.println("kinds=none");
            return;
        }
        Map<String, Long> kinds = new TreeMap<>();
        TabularData table = (TabularData) server.getAttribute(name, "CreatedAsMptcpByKind");
        for (Object row : table.values()) {
            CompositeData entry = (CompositeData) row;
            kinds.put((String) entry.get("key"), (Long) entry.get("value"));
        }
        System.out.println("kinds=" + kinds);
        System.out.println("userTimeoutsNotApplied=" + server.getAttribute(name, "UserTimeoutsNotApplied"));
    }
}
