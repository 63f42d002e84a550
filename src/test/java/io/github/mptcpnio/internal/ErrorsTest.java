package io.github.mptcpnio.internal;

import io.github.mptcpnio.internal.linux.Linux;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Example;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsTest {

    @Property(tries = 2000)
    void mappingIsTotalAndReturnsJdkTypes(@ForAll int errno, @ForAll String message) {
        IOException e = Errors.exception(errno, message);
        assertNotNull(e);
        assertEquals("java.net", e.getClass().getPackageName(), () -> e.getClass().getName());
        assertSame(message, e.getMessage());
        assertTrue(e instanceof SocketException || e instanceof ProtocolException, e.getClass().getName());
    }

    @Example
    void followsTheJdksHandleSocketErrorTable() {
        assertEquals(ConnectException.class, Errors.exception(Linux.ECONNREFUSED, "m").getClass());
        assertEquals(ConnectException.class, Errors.exception(Linux.ETIMEDOUT, "m").getClass());
        assertEquals(ConnectException.class, Errors.exception(Linux.ENOTCONN, "m").getClass());
        assertEquals(NoRouteToHostException.class, Errors.exception(Linux.EHOSTUNREACH, "m").getClass());
        assertEquals(BindException.class, Errors.exception(Linux.EADDRINUSE, "m").getClass());
        assertEquals(BindException.class, Errors.exception(Linux.EADDRNOTAVAIL, "m").getClass());
        assertEquals(BindException.class, Errors.exception(Linux.EACCES, "m").getClass());
        assertEquals(ProtocolException.class, Errors.exception(Linux.EPROTO, "m").getClass());
        assertEquals(SocketException.class, Errors.exception(Linux.EMFILE, "m").getClass());
        assertEquals(SocketException.class, Errors.exception(Linux.ENOPROTOOPT, "m").getClass());
    }
}
