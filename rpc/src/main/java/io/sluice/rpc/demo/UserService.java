package io.sluice.rpc.demo;

/**
 * The benchmark workload service the Dubbo project uses to measure itself (existUser, createUser, getUser,
 * listUser), shared by the RPC tests, the demo and the benchmarks.
 */
public interface UserService {
    boolean existUser(String email);

    boolean createUser(User user);

    User getUser(long id);

    Page listUser(int pageNo);
}
