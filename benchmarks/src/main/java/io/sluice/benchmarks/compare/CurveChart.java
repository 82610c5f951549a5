package io.sluice.benchmarks.compare;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The wide suite's curve as a PNG: msgs/s against partition count, both on log scales, one line per system and
 * workload (Sluice green, Kafka grey; produce solid, consume dashed), each point labelled with its value. Drawn with
 * java.awt on a headless image, like {@link RatioChart}. Stateless; thread-safe.
 */
final class CurveChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final int LEFT = 90;
    private static final int RIGHT = WIDTH - 40;
    private static final int TOP = 80;
    private static final int BOTTOM = HEIGHT - 60;
    private static final Color SLUICE = new Color(46, 139, 87);
    private static final Color KAFKA = new Color(110, 110, 110);

    private CurveChart() {
    }

    static void write(PartitionCurve curve, String title, Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, 20, 28);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("msgs/s (log scale) against partitions (log scale); one producer, one consumer, 100 B records,"
                    + " acks=1", 20, 50);
            draw(g, curve);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void draw(Graphics2D g, PartitionCurve curve) {
        List<Integer> points = curve.points();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (PartitionCurve.Series s : curve.series()) {
            for (double v : s.msgsPerS()) {
                if (!Double.isNaN(v) && v > 0) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
        }
        if (max == 0) {
            g.drawString("no figures", LEFT, TOP + 20);
            return;
        }
        double yLow = Math.pow(10, Math.floor(Math.log10(min)));
        double yHigh = Math.pow(10, Math.ceil(Math.log10(max * 1.01)));
        double xLow = Math.log10(points.get(0));
        double xHigh = Math.log10(points.get(points.size() - 1));
        for (double decade = yLow; decade <= yHigh * 1.001; decade *= 10) {
            for (int m = 1; m < 10 && decade * m <= yHigh * 1.001; m++) {
                int y = y(decade * m, yLow, yHigh);
                g.setColor(m == 1 ? new Color(200, 200, 200) : new Color(238, 238, 238));
                g.drawLine(LEFT, y, RIGHT, y);
            }
            g.setColor(Color.GRAY);
            g.drawString(compact(decade), LEFT - 50, y(decade, yLow, yHigh) + 4);
        }
        for (int p : points) {
            int x = x(p, xLow, xHigh);
            g.setColor(new Color(225, 225, 225));
            g.drawLine(x, TOP, x, BOTTOM);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%,d", p);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, BOTTOM + 18);
        }
        g.drawString("partitions", (LEFT + RIGHT) / 2 - 25, BOTTOM + 40);
        g.drawLine(LEFT, BOTTOM, RIGHT, BOTTOM);
        g.drawLine(LEFT, TOP, LEFT, BOTTOM);
        int legendY = TOP - 10;
        int legendX = LEFT + 10;
        for (PartitionCurve.Series s : curve.series()) {
            g.setColor(s.system().equals("sluice") ? SLUICE : KAFKA);
            g.setStroke(stroke(s));
            int lastX = -1;
            int lastY = -1;
            for (int i = 0; i < points.size(); i++) {
                double v = s.msgsPerS()[i];
                if (Double.isNaN(v) || v <= 0) {
                    lastX = -1;
                    continue;
                }
                int x = x(points.get(i), xLow, xHigh);
                int y = y(v, yLow, yHigh);
                if (lastX >= 0) {
                    g.drawLine(lastX, lastY, x, y);
                }
                g.fillOval(x - 4, y - 4, 8, 8);
                g.drawString(compact(v), x + 6, s.kind().equals("produce") ? y - 6 : y + 16);
                lastX = x;
                lastY = y;
            }
            g.drawLine(legendX, legendY - 4, legendX + 30, legendY - 4);
            g.setStroke(new BasicStroke(1));
            g.drawString(s.label(), legendX + 36, legendY);
            legendX += 170;
        }
    }

    private static Stroke stroke(PartitionCurve.Series s) {
        return s.kind().equals("produce") ? new BasicStroke(2.5f)
                : new BasicStroke(2.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[]{8, 6}, 0);
    }

    private static int x(int partitions, double low, double high) {
        if (high <= low) {
            return (LEFT + RIGHT) / 2;
        }
        return (int) Math.round(LEFT + 30 + (Math.log10(partitions) - low) / (high - low) * (RIGHT - LEFT - 90));
    }

    private static int y(double value, double low, double high) {
        double f = (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
        return (int) Math.round(BOTTOM - f * (BOTTOM - TOP - 10));
    }

    /** 950, 12.5k, 1.25M. */
    static String compact(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
