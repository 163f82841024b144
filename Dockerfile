# syntax=docker/dockerfile:1
#
# sharecard as a container: a static binary on distroless, running as a
# non-root user, with its data (stored images and the embedded job queue)
# in the /data volume.
#
#   docker build -t sharecard .
#   docker run -p 8080:8080 -v sharecard-data:/data -e SHARECARD_SIGN_KEY=... \
#     --stop-timeout 100 sharecard
#
# --stop-timeout (default 10 s) must cover the drain: --drain-delay (5 s) +
# --drain-timeout (90 s) + 5 s. See "Deploy" in README.md.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# Static: CGO_ENABLED=0, and the nodynamic tag keeps github.com/gen2brain/webp
# on its embedded WebAssembly libwebp; without the tag it loads a system
# libwebp.so with purego, which makes the binary dynamically linked.
# deploy/static_test.go builds with the same flags and checks the result.
# The commit is stamped (sharecard version) when .git is in the context.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    vcs=false; if [ -d .git ]; then vcs=true; fi; \
    CGO_ENABLED=0 go build -trimpath -buildvcs=$vcs -tags nodynamic -ldflags='-s -w' -o /out/sharecard . \
 && /out/sharecard version \
 && mkdir -p /out/data

# distroless/static: CA certificates, tzdata, /etc/passwd with nonroot
# (65532), no shell: `sharecard healthcheck` stands in for curl.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sharecard /usr/local/bin/
COPY --from=build --chown=65532:65532 /out/data /data
ENV SHARECARD_ADDR=:8080 \
    SHARECARD_DATA=/data \
    SHARECARD_LAYOUTS=/layouts
USER 65532:65532
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["/usr/local/bin/sharecard", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/sharecard"]
CMD ["serve"]
