package io.sluice.benchmarks.peer.dubbo;

import io.sluice.benchmarks.load.LoadArgs;
import io.sluice.benchmarks.load.ServerMain;
import io.sluice.benchmarks.load.model.BenchUserService;
import io.sluice.benchmarks.load.model.BenchUserServiceImpl;
import org.apache.dubbo.config.ApplicationConfig;
import org.apache.dubbo.config.ProtocolConfig;
import org.apache.dubbo.config.RegistryConfig;
import org.apache.dubbo.config.ServiceConfig;
import org.apache.dubbo.config.bootstrap.DubboBootstrap;

/**
 * The Dubbo provider of the RPC comparison, in a JVM of its own: {@code --port P} exports the benchmark UserService
 * over the dubbo protocol with hessian2, without a registry, on 127.0.0.1 only (server=loopback, QoS off), with
 * Dubbo's default business pool (fixed, 200 threads). Prints {@code READY port=P} and serves until SIGTERM.
 */
public final class DubboRpcProvider {
    private DubboRpcProvider() {
    }

    public static void main(String[] argv) throws Exception {
        LoadArgs args = new LoadArgs(argv);
        int port = args.intValue("port", 0);
        ApplicationConfig application = new ApplicationConfig("sluice-bench-dubbo-provider");
        application.setQosEnable(false);
        application.setMetadataType("local");
        ProtocolConfig protocol = new ProtocolConfig("dubbo", port);
        protocol.setHost("127.0.0.1");
        protocol.setServer(LoopbackTransporter.NAME);
        protocol.setSerialization("hessian2");
        protocol.setPreferSerialization("hessian2");
        ServiceConfig<BenchUserService> service = new ServiceConfig<>();
        service.setInterface(BenchUserService.class);
        service.setRef(new BenchUserServiceImpl());
        DubboBootstrap bootstrap = DubboBootstrap.getInstance()
                .application(application)
                .registry(new RegistryConfig(RegistryConfig.NO_AVAILABLE))
                .protocol(protocol)
                .service(service)
                .start();
        System.err.println("exported " + service.getExportedUrls());
        ServerMain.serve(port, bootstrap::stop, System.out);
    }
}
