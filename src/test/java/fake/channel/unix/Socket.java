package fake.channel.unix;

/**
 * A class the agent's Netty rewriting looks at (its name ends in {@code channel/unix/Socket}) but does not recognise:
 * it stands for a Netty version whose {@code Socket} has another shape. The agent must leave it untouched and say so.
 */
public class Socket {
    protected static int newSocketStream0(boolean ipv6) {
        return ipv6 ? 6 : 4;
    }

    public static int untouched() {
        return newSocketStream0(true);
    }
}
