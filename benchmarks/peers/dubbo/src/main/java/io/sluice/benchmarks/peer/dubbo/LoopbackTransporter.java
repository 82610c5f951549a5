package io.sluice.benchmarks.peer.dubbo;

import org.apache.dubbo.common.URL;
import org.apache.dubbo.remoting.ChannelHandler;
import org.apache.dubbo.remoting.Client;
import org.apache.dubbo.remoting.RemotingException;
import org.apache.dubbo.remoting.RemotingServer;
import org.apache.dubbo.remoting.transport.netty4.NettyClient;
import org.apache.dubbo.remoting.transport.netty4.NettyServer;

import java.net.InetSocketAddress;

/**
 * Dubbo's Netty 4 transport, except that the server binds 127.0.0.1. Dubbo treats every 127.x host as "invalid"
 * (NetUtils.isInvalidLocalHost): with {@code host=127.0.0.1} its ServiceConfig binds the machine's own address
 * instead and its AbstractServer falls back to the wildcard address, so no setting keeps the stock server on
 * loopback; likewise its client rewrites a 127.x address to the machine's own (NetUtils.filterLocalHost). This
 * transport binds and connects to 127.0.0.1. Selected with {@code server=loopback} on the provider and
 * {@code client=loopback} on the consumer (registered in META-INF/dubbo/org.apache.dubbo.remoting.Transporter).
 * Stateless and thread-safe.
 */
public final class LoopbackTransporter implements org.apache.dubbo.remoting.Transporter {
    public static final String NAME = "loopback";
    static final String LOOPBACK = "127.0.0.1";

    @Override
    public RemotingServer bind(URL url, ChannelHandler handler) throws RemotingException {
        return new LoopbackServer(url, handler);
    }

    @Override
    public Client connect(URL url, ChannelHandler handler) throws RemotingException {
        return new LoopbackClient(url, handler);
    }

    /** The Netty 4 client connecting to 127.0.0.1 on the URL's port. */
    static final class LoopbackClient extends NettyClient {
        LoopbackClient(URL url, ChannelHandler handler) throws RemotingException {
            super(url, handler);
        }

        @Override
        public InetSocketAddress getConnectAddress() {
            return new InetSocketAddress(LOOPBACK, getUrl().getPort());
        }
    }

    /** The Netty 4 server bound to 127.0.0.1 on the port Dubbo chose. */
    static final class LoopbackServer extends NettyServer {
        LoopbackServer(URL url, ChannelHandler handler) throws RemotingException {
            super(url, handler);
        }

        @Override
        public InetSocketAddress getBindAddress() {
            return new InetSocketAddress(LOOPBACK, getUrl().getParameter("bind.port", getUrl().getPort()));
        }
    }
}
