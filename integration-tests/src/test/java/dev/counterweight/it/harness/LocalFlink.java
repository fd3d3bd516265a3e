package dev.counterweight.it.harness;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/** Settings of a MiniCluster in the test JVM: everything on 127.0.0.1, REST on a given port. */
public final class LocalFlink {

    private LocalFlink() {}

    /**
     * A MiniCluster configuration bound to 127.0.0.1 with its REST endpoint on {@code restPort}.
     */
    public static Configuration loopback(int restPort) {
        Configuration c = new Configuration();
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        c.set(RestOptions.PORT, restPort);
        c.setString("metrics.fetcher.update-interval", "1000");
        return c;
    }
}
