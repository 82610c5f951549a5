package io.sluice.benchmarks.peer.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.sluice.benchmarks.load.model.BenchPage;
import io.sluice.benchmarks.load.model.BenchUser;
import io.sluice.benchmarks.load.model.BenchUserService;

import java.util.function.Function;

/**
 * The benchmark UserService as gRPC unary methods with hand-written method descriptors (service
 * {@code sluice.bench.UserService}) and {@link BinaryMarshallers}. Stateless and thread-safe.
 */
final class GrpcUserService {
    static final String SERVICE = "sluice.bench.UserService";
    static final MethodDescriptor<String, Boolean> EXIST_USER = unary("existUser", BinaryMarshallers.STRING,
            BinaryMarshallers.BOOLEAN);
    static final MethodDescriptor<BenchUser, Boolean> CREATE_USER = unary("createUser", BinaryMarshallers.USER,
            BinaryMarshallers.BOOLEAN);
    static final MethodDescriptor<Long, BenchUser> GET_USER = unary("getUser", BinaryMarshallers.LONG,
            BinaryMarshallers.USER);
    static final MethodDescriptor<Integer, BenchPage> LIST_USER = unary("listUser", BinaryMarshallers.INT,
            BinaryMarshallers.PAGE);

    private GrpcUserService() {
    }

    private static <Q, A> MethodDescriptor<Q, A> unary(String name, MethodDescriptor.Marshaller<Q> request,
                                                       MethodDescriptor.Marshaller<A> response) {
        return MethodDescriptor.<Q, A>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(request).setResponseMarshaller(response).build();
    }

    /** The server side: every method answered by {@code impl}. */
    static ServerServiceDefinition bind(BenchUserService impl) {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(EXIST_USER, handler(impl::existUser))
                .addMethod(CREATE_USER, handler(impl::createUser))
                .addMethod(GET_USER, handler(impl::getUser))
                .addMethod(LIST_USER, handler(impl::listUser))
                .build();
    }

    private static <Q, A> ServerCallHandler<Q, A> handler(Function<Q, A> method) {
        return ServerCalls.asyncUnaryCall((Q request, StreamObserver<A> answer) -> {
            answer.onNext(method.apply(request));
            answer.onCompleted();
        });
    }
}
