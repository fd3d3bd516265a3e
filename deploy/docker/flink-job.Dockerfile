# Image of the weighting job for the Flink Kubernetes Operator (application mode).
# Build from the repository root after `mvn -B -q install -DskipTests`:
#   docker build -f deploy/docker/flink-job.Dockerfile -t counterweight/flink-job:0.1.0 .
FROM flink:2.2-java17

# S3 for checkpoints, savepoints and HA metadata (the plugin ships in /opt/flink/opt).
RUN mkdir -p /opt/flink/plugins/s3-fs-presto \
 && cp /opt/flink/opt/flink-s3-fs-presto-*.jar /opt/flink/plugins/s3-fs-presto/

# The shaded job jar (Flink itself is provided by the image).
COPY --chown=flink:flink flink-jobs/target/counterweight-flink-jobs-*-job.jar \
     /opt/flink/usrlib/counterweight-job.jar
