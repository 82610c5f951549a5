package io.sluice.benchmarks.load.model;

/** The peers' copy of the benchmark service ({@code io.sluice.rpc.demo.UserService}). */
public interface BenchUserService {
    boolean existUser(String email);

    boolean createUser(BenchUser user);

    BenchUser getUser(long id);

    BenchPage listUser(int pageNo);
}
