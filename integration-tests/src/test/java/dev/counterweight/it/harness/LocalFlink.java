package dev.counterweight.it.harness;

import dev.counterweight.testing.LoopbackFlink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/** Settings of a MiniCluster in the test JVM: everything on 127.0.0.1, REST on a given port. */
public final class LocalFlink {

    private LocalFlink() {}

    /**
     * {@link LoopbackFlink#configuration()} with its REST endpoint on {@code restPort} and metrics
     * fetched every second (the tests read them over REST).
     */
    public static Configuration loopback(int restPort) {
        Configuration c = LoopbackFlink.configuration();
        c.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        c.set(RestOptions.PORT, restPort);
        c.setString("metrics.fetcher.update-interval", "1000");
        return c;
    }
}
