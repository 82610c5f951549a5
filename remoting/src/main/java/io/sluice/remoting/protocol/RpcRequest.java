package io.sluice.remoting.protocol;

import io.protostuff.Tag;
import java.util.List;
import java.util.Map;

/** An RPC invocation header; the frame payload holds the serialized arguments. */
public final class RpcRequest {
    /** interface name */
    @Tag(1)
    public String service;
    @Tag(2)
    public String version;
    @Tag(3)
    public String group;
    @Tag(4)
    public String method;
    /** binary class names */
    @Tag(5)
    public List<String> parameterTypes;
    /** the caller's remaining deadline */
    @Tag(6)
    public int timeoutMs;
    @Tag(7)
    public Map<String,String> attachments;

    public RpcRequest() {
    }
}
