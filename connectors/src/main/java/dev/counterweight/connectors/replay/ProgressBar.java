package dev.counterweight.connectors.replay;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A text progress bar: {@code [#########...........] 45% 4,500/10,000 events 1,234/s ETA 0:04}. On
 * a terminal it redraws one line with {@code \r}; otherwise (a log file, a pipe, CI) it prints a
 * plain line about every 10%. Either way it draws at most {@link #MIN_INTERVAL_NANOS once per 200
 * ms}, plus a final line when done.
 */
public final class ProgressBar implements ProgressListener {

    /** Least time between two redraws (at most 5 per second). */
    public static final long MIN_INTERVAL_NANOS = 200_000_000L;

    private static final int BAR_WIDTH = 24;

    private final PrintWriter out;
    private final boolean terminal;
    private final String unit;
    private long lastDrawNanos;
    private boolean drawn;
    private long lastDecile;
    private int lastLength;

    /**
     * @param out where to draw (usually stderr)
     * @param terminal whether {@code out} is a terminal (redraw in place) or not (plain lines)
     * @param unit what is counted, e.g. {@code events}
     */
    public ProgressBar(PrintWriter out, boolean terminal, String unit) {
        this.out = out;
        this.terminal = terminal;
        this.unit = unit;
    }

    /** A bar on {@code err} that redraws in place when the JVM has a console. */
    public static ProgressBar onConsole(PrintWriter err, String unit) {
        return new ProgressBar(err, System.console() != null, unit);
    }

    @Override
    public void onProgress(long sent, long total, long elapsedNanos) {
        if (drawn && elapsedNanos - lastDrawNanos < MIN_INTERVAL_NANOS) {
            return;
        }
        if (terminal) {
            redraw(format(sent, total, elapsedNanos, unit, false));
        } else {
            long decile = total <= 0 ? 10 : sent * 10 / total;
            if (decile <= lastDecile || sent >= total) {
                // The final line comes from onDone.
                return;
            }
            lastDecile = decile;
            out.println(format(sent, total, elapsedNanos, unit, false));
            out.flush();
        }
        drawn = true;
        lastDrawNanos = elapsedNanos;
    }

    @Override
    public void onDone(long sent, long total, long elapsedNanos) {
        String line = format(sent, total, elapsedNanos, unit, true);
        if (terminal) {
            redraw(line);
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void redraw(String line) {
        int pad = Math.max(0, lastLength - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastLength = line.length();
    }

    /**
     * One progress line.
     *
     * @param done whether the work is finished (shows the total time instead of an ETA)
     */
    public static String format(
            long sent, long total, long elapsedNanos, String unit, boolean done) {
        double fraction = total <= 0 ? 1 : Math.min(1, (double) sent / total);
        int filled = (int) Math.floor(fraction * BAR_WIDTH);
        double seconds = elapsedNanos / 1e9;
        double rate = seconds > 0 ? sent / seconds : Double.NaN;
        String tail;
        if (done) {
            tail = "done in " + formatDuration(Math.round(seconds));
        } else {
            long eta = etaSeconds(sent, total, rate);
            tail = "ETA " + (eta < 0 ? "--:--" : formatDuration(eta));
        }
        return String.format(
                Locale.ROOT,
                "[%s%s] %3d%%  %,d/%,d %s  %s  %s",
                "#".repeat(filled),
                ".".repeat(BAR_WIDTH - filled),
                (int) Math.floor(fraction * 100),
                sent,
                total,
                unit,
                formatRate(rate),
                tail);
    }

    /** Seconds left at {@code rate} per second, rounded up; -1 when unknown. */
    static long etaSeconds(long sent, long total, double rate) {
        if (sent >= total) {
            return 0;
        }
        if (!(rate > 0) || Double.isInfinite(rate)) {
            return -1;
        }
        return (long) Math.ceil((total - sent) / rate);
    }

    /** {@code 1,234/s}, {@code 12.5/s} below 100 per second, {@code --/s} when unknown. */
    static String formatRate(double perSecond) {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            return "--/s";
        }
        return String.format(Locale.ROOT, perSecond >= 100 ? "%,.0f/s" : "%,.1f/s", perSecond);
    }

    /** {@code m:ss} below an hour, {@code h:mm:ss} above. */
    static String formatDuration(long seconds) {
        long s = Math.max(0, seconds);
        if (s < 3600) {
            return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }
}
