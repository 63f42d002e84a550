/**
 * Multipath TCP for unmodified Java NIO applications.
 *
 * <h2>Launch</h2>
 * <pre>
 * java -cp app.jar:mptcp-nio-0.1.0.jar:jffi-1.4.0.jar:jffi-1.4.0-native.jar \
 *      -Djava.nio.channels.spi.SelectorProvider=io.github.mptcpnio.MptcpSelectorProvider \
 *      --add-exports java.base/sun.nio.ch=ALL-UNNAMED \
 *      --enable-native-access=ALL-UNNAMED \
 *      com.example.Main
 * </pre>
 * (or {@code mptcp-nio-0.1.0-all.jar}, which bundles jffi), or, for every JVM the same way, the agent:
 * {@code java -javaagent:mptcp-nio-0.1.0-all.jar --enable-native-access=ALL-UNNAMED -jar app.jar}. From then on every
 * {@link java.nio.channels.SocketChannel} and {@link java.nio.channels.ServerSocketChannel} the application opens
 * has an MPTCP socket; {@code --enable-native-access} silences the JDK 24+ native-access warning.
 *
 * <h2>Fallback</h2>
 * When MPTCP sockets cannot be created (another OS, an old kernel, {@code net.mptcp.enabled=0}, a missing flag)
 * channels stay plain TCP and one WARNING line on the {@code io.github.mptcpnio} {@link java.lang.System.Logger}
 * says why and what to do; {@code -Dmptcp.nio.strict=true} turns that into an {@link java.io.IOException}. When
 * the peer or a middlebox does not speak MPTCP the kernel falls back to TCP per connection by itself, and
 * {@link io.github.mptcpnio.Mptcp#isMultipath} reports it.
 *
 * <h2>Modes</h2>
 * {@code -Dmptcp.nio.mode=both} (default) | {@code server} (listeners only) | {@code client} | {@code off}.
 *
 * @since 0.1.0
 */
package io.github.mptcpnio;
