package apps.netty;

/**
 * Loads a class named like Netty's {@code channel.unix.Socket} that has another shape ({@code fake.channel.unix.Socket}),
 * calls it, and prints {@code untouched=6} when it ran as written. Then waits a second, so that a WARNING written from
 * another thread is not cut off by the exit.
 */
public final class UnknownNettyApp {
    public static void main(String[] args) throws Exception {
        System.out.println("untouched=" + fake.channel.unix.Socket.untouched());
        Thread.sleep(1000);
    }
}
