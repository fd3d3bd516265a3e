package dev.counterweight.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;

/**
 * The base configuration of every in-process Flink cluster the project starts (local pipeline,
 * benchmarks, tests): JobManager, TaskManager and REST endpoint bound to 127.0.0.1 only, the REST
 * endpoint on any free port unless the caller sets one.
 */
public final class LoopbackFlink {

    private LoopbackFlink() {}

    /** A new configuration with every endpoint on 127.0.0.1 and the REST port chosen freely. */
    public static Configuration configuration() {
        Configuration c = new Configuration();
        c.set(JobManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(JobManagerOptions.ADDRESS, "127.0.0.1");
        c.set(TaskManagerOptions.BIND_HOST, "127.0.0.1");
        c.set(TaskManagerOptions.HOST, "127.0.0.1");
        c.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        c.set(RestOptions.ADDRESS, "127.0.0.1");
        c.set(RestOptions.BIND_PORT, "0");
        return c;
    }
}
