package io.sluice.benchmarks.load.model;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers' provider: the same generated answers as {@code io.sluice.rpc.demo.UserServiceImpl}, field for field,
 * so every system moves the same data. Stateless and thread-safe.
 */
public class BenchUserServiceImpl implements BenchUserService {
    public static final int PAGE_SIZE = 15;
    private static final LocalDateTime CREATED = LocalDateTime.of(2024, 1, 2, 3, 4, 5, 6_000_000);

    @Override
    public boolean existUser(String email) {
        return email != null && !email.isEmpty() && email.charAt(email.length() - 1) < '5';
    }

    @Override
    public boolean createUser(BenchUser user) {
        return user != null;
    }

    @Override
    public BenchUser getUser(long id) {
        return newUser(id);
    }

    @Override
    public BenchPage listUser(int pageNo) {
        List<BenchUser> users = new ArrayList<>(PAGE_SIZE);
        for (int i = 0; i < PAGE_SIZE; i++) {
            users.add(newUser((long) pageNo * PAGE_SIZE + i));
        }
        BenchPage page = new BenchPage();
        page.setPageNo(pageNo);
        page.setTotal(1000);
        page.setTotalPage(1000 / PAGE_SIZE + 1);
        page.setResult(users);
        return page;
    }

    /** A user with every field set, derived from {@code id}. */
    public static BenchUser newUser(long id) {
        BenchUser user = new BenchUser();
        user.setId(id);
        user.setName("Doug Lea");
        user.setSex(1);
        user.setBirthday(LocalDate.of(1968, 12, 8));
        user.setEmail("dong.lea@gmail.com");
        user.setMobile("18612345678");
        user.setAddress("North Syracuse, NY 13212, USA");
        user.setIcon("https://www.gravatar.com/avatar/9e2e8b2c9d1e3d4f");
        user.setStatus(1);
        user.setCreateTime(CREATED);
        user.setUpdateTime(CREATED.plusSeconds(id % 1000));
        List<Integer> permissions = new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                18, 19, 20));
        user.setPermissions(permissions);
        return user;
    }
}
