package io.sluice.benchmarks.load.model;

import java.io.Serializable;
import java.util.List;

/** The peers' copy of the benchmark's page of 15 users ({@code io.sluice.rpc.demo.Page}). Not thread-safe. */
public class BenchPage implements Serializable {
    private static final long serialVersionUID = 1L;

    private int pageNo;
    private int total;
    private int totalPage;
    private List<BenchUser> result;

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

    public List<BenchUser> getResult() {
        return result;
    }

    public void setResult(List<BenchUser> result) {
        this.result = result;
    }
}
