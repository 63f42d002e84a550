package apps.frameworks;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;

/** Tomcat 11 embedded with the NIO connector ({@code Http11NioProtocol}). */
public final class TomcatApp {
    public static void main(String[] args) throws Exception {
        String base = Files.createTempDirectory("tomcat").toString();
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base);
        Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", base);
        Tomcat.addServlet(context, "hello", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/plain");
                resp.getWriter().write(HttpLoad.reply(req.getRequestURI()));
            }
        });
        context.addServletMappingDecoded("/*", "hello");
        tomcat.start();
        HttpLoad.runAndExit("tomcat", URI.create("http://127.0.0.1:" + connector.getLocalPort()),
                Integer.parseInt(args[0]));
    }
}
