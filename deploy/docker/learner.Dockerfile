# Image of the online learner and the counterweight CLI (CPU backend, nd4j-native linux-x86_64).
# Build from the repository root:
#   mvn -B -q install -DskipTests
#   mvn -B -q -pl cli dependency:copy-dependencies -DincludeScope=runtime \
#       -DoutputDirectory=target/lib
#   docker build -f deploy/docker/learner.Dockerfile -t counterweight/learner:0.1.0 .
FROM eclipse-temurin:17-jre

RUN useradd --system --uid 10001 counterweight \
 && mkdir -p /opt/counterweight/lib /var/lib/counterweight/snapshots \
 && chown -R counterweight /var/lib/counterweight
COPY cli/target/lib/ /opt/counterweight/lib/
COPY cli/target/counterweight-cli-*[0-9T].jar /opt/counterweight/lib/
COPY cli/src/main/resources/log4j2.xml /opt/counterweight/log4j2.xml
USER counterweight
WORKDIR /opt/counterweight
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.counterweight.avro -Dlog4j2.configurationFile=/opt/counterweight/log4j2.xml"
ENTRYPOINT ["java", "-cp", "/opt/counterweight/lib/*", "dev.counterweight.learner.service.LearnerMain"]
