package io.github.mptcpnio;

import io.github.mptcpnio.internal.linux.MptcpInfoFields;

/** Builds API values from decoded kernel structures for tests in other packages (the constructors are not public). */
public final class ApiAccess {
    private ApiAccess() {}

    public static MptcpInfo info(MptcpInfoFields fields) {
        return new MptcpInfo(fields);
    }
}
