package apps.netty;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * gRPC-java hello world on {@code grpc-netty-shaded} (its relocated Netty, default transport: epoll where available),
 * unmodified: a {@code Greeter} service with a unary {@code SayHello} and a server-streaming {@code SayHellos} (the
 * messages are UTF-8 strings, so no protobuf code generation is needed; the calls, framing and HTTP/2 are gRPC's).
 * {@code channels} client channels each make {@code calls} unary calls and one streaming call of 10 answers; every
 * answer is checked. Prints {@code grpc OK unary=N streamed=M}.
 *
 * <p>Arguments: {@code channels calls [keepalive]}; {@code keepalive} configures the clients' keep-alive (30 s, timeout
 * 5 s), for which gRPC also sets {@code TCP_USER_TIMEOUT} on epoll channels.
 */
public final class GrpcApp {
    static final MethodDescriptor.Marshaller<String> UTF8 = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final MethodDescriptor<String, String> SAY_HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("helloworld.Greeter/SayHello")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();
    static final MethodDescriptor<String, String> SAY_HELLOS = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("helloworld.Greeter/SayHellos")
            .setRequestMarshaller(UTF8).setResponseMarshaller(UTF8).build();

    public static void main(String[] args) throws Exception {
        int channels = Integer.parseInt(args[0]);
        int calls = Integer.parseInt(args[1]);
        boolean keepAlive = args.length > 2 && args[2].equals("keepalive");
        System.out.println("epoll=" + Epoll.isAvailable());
        ServerServiceDefinition greeter = ServerServiceDefinition.builder("helloworld.Greeter")
                .addMethod(SAY_HELLO, ServerCalls.asyncUnaryCall(
                        (String name, StreamObserver<String> out) -> {
                            out.onNext("Hello " + name);
                            out.onCompleted();
                        }))
                .addMethod(SAY_HELLOS, ServerCalls.asyncServerStreamingCall(
                        (String name, StreamObserver<String> out) -> {
                            for (int i = 0; i < 10; i++) {
                                out.onNext("Hello " + name + " #" + i);
                            }
                            out.onCompleted();
                        }))
                .build();
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(greeter)
                .build().start();
        int unary = 0;
        int streamed = 0;
        try {
            for (int c = 0; c < channels; c++) {
                NettyChannelBuilder builder = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort())
                        .usePlaintext();
                if (keepAlive) {
                    builder.keepAliveTime(30, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS);
                }
                ManagedChannel channel = builder.build();
                try {
                    for (int i = 0; i < calls; i++) {
                        String name = "world-" + c + "-" + i;
                        String answer = ClientCalls.blockingUnaryCall(channel, SAY_HELLO,
                                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), name);
                        if (answer.equals("Hello " + name)) {
                            unary++;
                        }
                    }
                    Iterator<String> answers = ClientCalls.blockingServerStreamingCall(channel, SAY_HELLOS,
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "stream-" + c);
                    for (int i = 0; answers.hasNext(); i++) {
                        if (answers.next().equals("Hello stream-" + c + " #" + i)) {
                            streamed++;
                        }
                    }
                } finally {
                    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                }
            }
        } finally {
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        AgentView.printKinds();
        System.out.println("grpc OK unary=" + unary + " streamed=" + streamed);
        System.exit(unary == channels * calls && streamed == channels * 10 ? 0 : 1);
    }
}
