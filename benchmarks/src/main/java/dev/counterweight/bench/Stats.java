package dev.counterweight.bench;

import java.util.Arrays;

/** Median and spread of repeated measurements. */
public record Stats(double median, double min, double max) {

    public static Stats of(double... values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
        return new Stats(median, v[0], v[n - 1]);
    }

    /** {@code median (min–max)} with the given format for each number. */
    public String format(String number) {
        return String.format(number, median)
                + " ("
                + String.format(number, min)
                + "–"
                + String.format(number, max)
                + ")";
    }
}
