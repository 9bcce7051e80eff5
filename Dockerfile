# zammad-links-mock as a container image: the static binary alone, FROM scratch. Named
# Dockerfile, not Containerfile, so that `docker build .` finds it as `podman build .` does.
#
# Build the binary first (static glibc, see README "Use it from CI"), then the image:
#
#   RUSTFLAGS="-C target-feature=+crt-static" cargo build --release --locked --target x86_64-unknown-linux-gnu
#   docker build -t zammad-links-mock .                       # or: podman build --format docker -t zammad-links-mock .
#
# `--format docker` because the OCI image format has no HEALTHCHECK, and podman would drop it.
# `.dockerignore` (read by podman too) sends the build only that one binary, not `target/`.

# Nothing else: the binary is linked statically and opens no file but its database, so the
# image holds no shell, no libc, no package manager. Its size is the binary's.
FROM scratch

COPY target/x86_64-unknown-linux-gnu/release/zammad-links-mock /zammad-links-mock

# The defaults a container needs; each is an option's environment variable, so `docker run -e`
# overrides it, as does any option given after the image name.
# - Every interface: a published port reaches the mock only through the container's address.
# - The database is the volume below, so `docker run -v …:/data` keeps the state: it is the
#   default folder `zammad-links-mock.db` in the working folder /data, rather than
#   ZAMMAD_MOCK_DB=/data, because an environment variable for --db would refuse --in-memory
#   (the two options exclude each other, and clap counts a value from the environment).
# - The admin API under /__mock/ (reset, replace or export the whole state, tokens included) is
#   off until ZAMMAD_MOCK_ADMIN_TOKEN (Bearer) or ZAMMAD_MOCK_ADMIN_OPEN=true is given: the
#   port is usually published to the host and from there to its network, and an open admin API
#   would let anyone who reaches it replace or read the state. The Zammad API itself, with
#   the default data set's published credentials, stays on, so `docker run` alone is useful.
ENV ZAMMAD_MOCK_BIND=0.0.0.0:3000 \
    ZAMMAD_MOCK_ADMIN_OFF_BY_DEFAULT=true

WORKDIR /data
VOLUME ["/data"]
EXPOSE 3000

# The binary handles SIGTERM itself (in-flight requests finish, the database is flushed, exit
# code 0), which matters as PID 1, where the kernel applies no default action to it.
STOPSIGNAL SIGTERM

# No shell or curl in the image: the binary checks itself (GET /__mock/health on the address
# of ZAMMAD_MOCK_BIND, on loopback when that is 0.0.0.0; exit code 0 or 1).
HEALTHCHECK --interval=5s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/zammad-links-mock", "health"]

LABEL org.opencontainers.image.title="zammad-links-mock" \
      org.opencontainers.image.description="Zammad's Links REST API, answered as a real Zammad does, from memory, every write persisted" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0"

ENTRYPOINT ["/zammad-links-mock"]
