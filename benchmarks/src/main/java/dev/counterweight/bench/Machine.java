package dev.counterweight.bench;

import java.time.LocalDate;

/** One line describing where a benchmark ran. */
public final class Machine {

    private Machine() {}

    public static String describe() {
        return String.format(
                "Machine: %d cores available to the JVM, max heap %d MiB, Java %s (%s), %s %s; run on %s.",
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"),
                System.getProperty("os.name"),
                System.getProperty("os.arch"),
                LocalDate.now());
    }
}
