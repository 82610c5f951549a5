package io.sluice.rpc.demo;

import java.util.List;
import java.util.Objects;

/**
 * One page of users, as in the Dubbo benchmark workload (15 users a page). Not generic on purpose: a declared
 * {@code List<User>} lets the serializer write the users without naming their class. Not thread-safe.
 */
public class Page {
    private int pageNo;
    private int total;
    private int totalPage;
    private List<User> result;

    public Page() {
    }

    public int getPageNo() {
        return pageNo;
    }

    public void setPageNo(int pageNo) {
        this.pageNo = pageNo;
    }

    public int getTotal() {
        return total;
    }

    public void setTotal(int total) {
        this.total = total;
    }

    public int getTotalPage() {
        return totalPage;
    }

    public void setTotalPage(int totalPage) {
        this.totalPage = totalPage;
    }

    public List<User> getResult() {
        return result;
    }

    public void setResult(List<User> result) {
        this.result = result;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Page p && pageNo == p.pageNo && total == p.total && totalPage == p.totalPage
                && Objects.equals(result, p.result);
    }

    @Override
    public int hashCode() {
        return Objects.hash(pageNo, total, totalPage);
    }

    @Override
    public String toString() {
        return "Page{pageNo=" + pageNo + ", total=" + total + ", users=" + (result == null ? 0 : result.size()) + "}";
    }
}
