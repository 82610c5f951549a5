package io.sluice.benchmarks.compare;

import io.sluice.benchmarks.load.WideWorkload;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The comparison as a PNG: one horizontal bar per figure and peer, its length how many times better Sluice does
 * (throughput Sluice/peer, latency peer/Sluice; log scale, 1× in the middle), green where Sluice is ahead, red
 * where behind, with the goal marked. Drawn with java.awt on a headless image. Stateless; thread-safe.
 */
final class RatioChart {
    private static final int WIDTH = 1000;
    private static final int BAR = 22;
    private static final int LABEL_WIDTH = 420;
    private static final double MAX_FACTOR = 8;
    private static final Map<String, String> NAMES = Map.of("kafka", "Kafka", "dubbo", "Dubbo", "grpc", "gRPC");

    private RatioChart() {
    }

    record Bar(String label, double advantage, double goal) {
    }

    static List<Bar> bars(CompareSettings settings, Results results) {
        List<Bar> bars = new ArrayList<>();
        for (Row row : Row.all(settings)) {
            if (!settings.runs(row.runSuite()) || !settings.runsWorkload(row.workload())
                    || (row.suite().equals("wide") && row.metric().equals("mb_per_s"))) {
                continue; // a wide workload's MB/s ratio is its msgs/s ratio: one bar says it
            }
            OptionalDouble sluice = results.median("sluice", row.workload(), row.metric());
            for (int i = 0; i < row.peers().size(); i++) {
                String peer = row.peers().get(i);
                OptionalDouble theirs = results.median(peer, row.workload(), row.metric());
                if (sluice.isPresent() && theirs.isPresent() && sluice.getAsDouble() > 0 && theirs.getAsDouble() > 0) {
                    bars.add(new Bar(shortLabel(row) + " vs " + NAMES.get(peer),
                            row.advantage(sluice.getAsDouble(), theirs.getAsDouble()), row.goals()[i]));
                }
            }
        }
        return bars;
    }

    private static String shortLabel(Row row) {
        String what = switch (row.workload()) {
            case "produce-100" -> "produce 100 B";
            case "produce-1k" -> "produce 1 KiB";
            case "consume-100" -> "consume 100 B";
            case "e2e" -> "end-to-end";
            case CompareSettings.REPLICATED_WORKLOAD -> "produce RF 3 acks=all";
            case CompareSettings.REPLICATED_ACKS1_WORKLOAD -> "produce RF 3 acks=1";
            default -> wideLabel(row);
        };
        return what + " " + row.unit();
    }

    /** "1,000 partitions produce", "3,000 partitions RF 3 acks=all": the wide suite's rows, short. */
    private static String wideLabel(Row row) {
        WideWorkload w = WideWorkload.parse(row.workload());
        if (w == null) {
            return row.label();
        }
        String kind = switch (w.kind()) {
            case WideWorkload.PRODUCE -> "produce";
            case WideWorkload.CONSUME -> "consume";
            default -> "RF 3 acks=all";
        };
        return String.format(Locale.ROOT, "%,d partitions %s", w.partitions(), kind);
    }

    static void write(List<Bar> bars, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int height = 90 + Math.max(1, bars.size()) * (BAR + 8) + 40;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 20, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("times better than the peer (throughput: Sluice/peer; latency: peer/Sluice); log scale;"
                    + " | marks the goal", 20, 50);
            int plotLeft = LABEL_WIDTH;
            int plotRight = WIDTH - 60;
            int center = (plotLeft + plotRight) / 2;
            double half = (plotRight - plotLeft) / 2.0;
            int top = 70;
            int bottom = top + bars.size() * (BAR + 8);
            g.setColor(new Color(230, 230, 230));
            for (double f : new double[]{0.125, 0.25, 0.5, 2, 4, 8}) {
                int x = xOf(f, center, half);
                g.drawLine(x, top - 5, x, bottom);
                g.setColor(Color.GRAY);
                g.drawString(f < 1 ? "1/" + (int) Math.round(1 / f) + "×" : (int) f + "×", x - 10, bottom + 16);
                g.setColor(new Color(230, 230, 230));
            }
            int y = top;
            for (Bar bar : bars) {
                int x = xOf(bar.advantage(), center, half);
                g.setColor(bar.advantage() >= 1 ? new Color(46, 139, 87) : new Color(200, 60, 60));
                g.fillRect(Math.min(center, x), y, Math.max(1, Math.abs(x - center)), BAR);
                g.setColor(Color.BLACK);
                g.drawString(bar.label(), 20, y + BAR - 6);
                String value = String.format(Locale.ROOT, "%.2f×", bar.advantage());
                int past = bar.goal() > 0 ? Math.max(x, xOf(bar.goal(), center, half)) : x;
                g.drawString(value, bar.advantage() >= 1 ? Math.min(past + 4, WIDTH - 50)
                        : Math.max(x - 44, plotLeft), y + BAR - 6);
                if (bar.goal() > 0) {
                    int gx = xOf(bar.goal(), center, half);
                    g.setStroke(new BasicStroke(2));
                    g.setColor(new Color(30, 30, 160));
                    g.drawLine(gx, y - 2, gx, y + BAR + 2);
                    g.setStroke(new BasicStroke(1));
                }
                y += BAR + 8;
            }
            g.setColor(Color.BLACK);
            g.drawLine(center, top - 5, center, bottom);
            g.drawString("1×", center - 8, bottom + 16);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static int xOf(double factor, int center, double half) {
        double clamped = Math.max(1 / MAX_FACTOR, Math.min(MAX_FACTOR, factor));
        return (int) Math.round(center + Math.log(clamped) / Math.log(MAX_FACTOR) * half);
    }
}
