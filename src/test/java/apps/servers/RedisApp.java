package apps.servers;

import redis.clients.jedis.Jedis;

/**
 * Jedis (over {@code java.net.Socket}) against a real Redis server, knowing nothing of MPTCP: each of
 * {@code connections} connections sets 100 keys and reads them back. Prints {@code OK connections=N}.
 *
 * <p>Usage: {@code RedisApp <port> <connections>}
 */
public final class RedisApp {
    public static void main(String[] args) {
        int port = Integer.parseInt(args[0]);
        int connections = Integer.parseInt(args[1]);
        for (int c = 0; c < connections; c++) {
            try (Jedis redis = new Jedis("127.0.0.1", port)) {
                for (int i = 0; i < 100; i++) {
                    redis.set("k" + c + ":" + i, "v" + i * 7);
                }
                for (int i = 0; i < 100; i++) {
                    String v = redis.get("k" + c + ":" + i);
                    if (!("v" + i * 7).equals(v)) {
                        System.out.println("WRONG value for k" + c + ":" + i + ": " + v);
                        System.exit(1);
                    }
                }
            }
        }
        System.out.println("OK connections=" + connections);
    }
}
