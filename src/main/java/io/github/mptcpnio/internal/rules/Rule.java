package io.github.mptcpnio.internal.rules;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * One rule: {@code [client|listener] [ADDRESS[/BITS] | loopback] [port P[-Q]] mptcp|tcp}. It matches a socket of its
 * role (any role when none is given) whose address — the destination of a client, the bound address of a listener —
 * lies in its prefix and whose port lies in its range. Immutable; matching allocates nothing for IPv4.
 */
public final class Rule {
    /** Which sockets a rule is about. */
    public enum Role {
        ANY, CLIENT, LISTENER;

        boolean matches(boolean listener) {
            return this == ANY || (this == LISTENER) == listener;
        }
    }

    private final String text;
    private final Role role;
    private final boolean loopback;
    /** The prefix's bytes (4 or 16), or null for any address. */
    private final byte[] prefix;
    private final int bits;
    private final int portFrom;
    private final int portTo;
    private final boolean mptcp;

    Rule(String text, Role role, boolean loopback, byte[] prefix, int bits, int portFrom, int portTo, boolean mptcp) {
        this.text = text;
        this.role = role;
        this.loopback = loopback;
        this.prefix = prefix;
        this.bits = bits;
        this.portFrom = portFrom;
        this.portTo = portTo;
        this.mptcp = mptcp;
    }

    /** The rule as written (normalised white space). */
    public String text() {
        return text;
    }

    /** MPTCP (true) or plain TCP (false) for the sockets it matches. */
    public boolean mptcp() {
        return mptcp;
    }

    public Role role() {
        return role;
    }

    /** Whether the rule decides for a socket of this role, address (null: unknown) and port. */
    public boolean matches(boolean listener, InetAddress address, int port) {
        if (!role.matches(listener) || port < portFrom || port > portTo) {
            return false;
        }
        if (loopback) {
            return address != null && isLoopback(address);
        }
        return prefix == null || (address != null && inPrefix(address));
    }

    private boolean inPrefix(InetAddress address) {
        if (address instanceof Inet4Address) {
            if (prefix.length != 4) {
                return false;
            }
            int a = address.hashCode(); // Inet4Address: the address itself, big-endian, without a copy
            int p = (prefix[0] & 0xff) << 24 | (prefix[1] & 0xff) << 16 | (prefix[2] & 0xff) << 8 | (prefix[3] & 0xff);
            int mask = bits == 0 ? 0 : -1 << (32 - bits);
            return (a & mask) == (p & mask);
        }
        byte[] a = address.getAddress();
        if (a.length != prefix.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (a[full] & mask) == (prefix[full] & mask);
    }

    /** 127.0.0.0/8, {@code ::1}, and IPv4-mapped loopback ({@code ::ffff:127.0.0.0/104}). */
    static boolean isLoopback(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return true;
        }
        if (address instanceof Inet6Address) {
            byte[] a = address.getAddress();
            for (int i = 0; i < 10; i++) {
                if (a[i] != 0) {
                    return false;
                }
            }
            return a[10] == (byte) 0xff && a[11] == (byte) 0xff && a[12] == 127;
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }
}
