# syntax=docker/dockerfile:1
#
# sysdig-adapter image: a release binary with the Swift runtime linked in
# statically, on a distroless base (glibc, libstdc++, CA certificates, no
# shell, no package manager), running as uid 65532.
#
#   docker build -t ghcr.io/your-org/sysdig-adapter:0.1.0 .
#
# The build stage and the runtime stage must share the glibc generation:
# Swift's bookworm image with Debian 12's distroless base. CI cannot run
# Docker here; hack/check-release-binary.sh builds the same binary the same way
# and checks that it links only system libraries and starts.

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# Dependencies first: this layer survives source edits.
COPY Package.swift Package.resolved* ./
RUN swift package resolve
# SwiftPM wants every declared target's directory, tests included.
COPY Sources ./Sources
COPY Tests ./Tests
COPY hack/bench/AdapterBench ./hack/bench/AdapterBench
RUN swift build -c release --static-swift-stdlib --product sysdig-adapter \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/sysdig-adapter" /out/sysdig-adapter
# The binary needs glibc, libstdc++, libgcc_s (all in the runtime image) and
# zlib (HTTP decompression), which is copied along to be sure of it.
RUN mkdir -p /out/lib && cp -L "/lib/$(uname -m)-linux-gnu/libz.so.1" /out/lib/

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="sysdig-adapter" \
      org.opencontainers.image.description="Kubernetes custom and external metrics from Sysdig Monitor"
COPY --from=build /out/sysdig-adapter /usr/local/bin/sysdig-adapter
COPY --from=build /out/lib/ /usr/lib/
# Example mappings, so `docker run IMAGE validate /usr/share/sysdig-adapter/examples` works.
COPY crds/examples /usr/share/sysdig-adapter/examples
USER 65532:65532
EXPOSE 6443
ENTRYPOINT ["/usr/local/bin/sysdig-adapter"]
CMD ["serve"]
