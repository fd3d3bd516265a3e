# CUDA variant of the learner image (learner.device=gpu), used by deploy/k8s/overlays/gpu.
#
# ND4J 1.0.0-M2.1 publishes its CUDA backend for CUDA 11.6 only (nd4j-cuda-11.6 with
# cuDNN 8). That build targets compute capability 3.7 to 8.6: Kepler K80 through Ampere
# (A100, A10, A30, RTX 30xx). It does NOT support Hopper (H100/H200, 9.0) or Ada (8.9)
# natively; on those the learner's start-up self-test fails and learner.device=gpu stops with
# the reason (auto falls back to CPU). Schedule this image on nodes with a supported GPU.
#
# The classpath must hold nd4j-cuda-11.6 (and its linux-x86_64 classifier) instead of
# nd4j-native: build cli/target/lib with the CUDA backend dependency (not a profile of this
# repository yet), then:
#   docker build -f deploy/docker/learner-cuda.Dockerfile -t counterweight/learner:0.1.0-cuda11.6 .
FROM nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04

RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 counterweight \
 && mkdir -p /opt/counterweight/lib /var/lib/counterweight/snapshots \
 && chown -R counterweight /var/lib/counterweight
COPY cli/target/lib/ /opt/counterweight/lib/
COPY cli/target/counterweight-cli-*[0-9T].jar /opt/counterweight/lib/
COPY cli/src/main/resources/log4j2.xml /opt/counterweight/log4j2.xml
USER counterweight
WORKDIR /opt/counterweight
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -Dorg.apache.avro.SERIALIZABLE_PACKAGES=dev.counterweight.avro -Dlog4j2.configurationFile=/opt/counterweight/log4j2.xml"
ENTRYPOINT ["java", "-cp", "/opt/counterweight/lib/*", "dev.counterweight.learner.service.LearnerMain"]
