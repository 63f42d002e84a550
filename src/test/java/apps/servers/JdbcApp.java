package apps.servers;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The PostgreSQL JDBC driver (over {@code java.net.Socket}) against a real server, knowing nothing of MPTCP: each of
 * {@code connections} connections creates a table, inserts 100 rows and checks their sum. Prints {@code OK connections=N}.
 *
 * <p>Usage: {@code JdbcApp <port> <connections>}
 */
public final class JdbcApp {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + args[0] + "/postgres?user=postgres&sslmode=disable";
        int connections = Integer.parseInt(args[1]);
        for (int c = 0; c < connections; c++) {
            try (Connection db = DriverManager.getConnection(url); Statement st = db.createStatement()) {
                st.execute("CREATE TEMPORARY TABLE t (i integer)");
                try (PreparedStatement insert = db.prepareStatement("INSERT INTO t VALUES (?)")) {
                    for (int i = 0; i < 100; i++) {
                        insert.setInt(1, i);
                        insert.addBatch();
                    }
                    insert.executeBatch();
                }
                try (ResultSet rs = st.executeQuery("SELECT sum(i), count(*) FROM t")) {
                    rs.next();
                    if (rs.getLong(1) != 4950 || rs.getLong(2) != 100) {
                        System.out.println("WRONG sum " + rs.getLong(1) + " count " + rs.getLong(2));
                        System.exit(1);
                    }
                }
            }
        }
        System.out.println("OK connections=" + connections);
    }
}
