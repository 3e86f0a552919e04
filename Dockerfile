# bench-bot's GitHub Action image: one static binary and the CA certificates, nothing
# else. GitHub runs the container as root with the workspace
# mounted at /github/workspace, so the final stage sets no USER and no WORKDIR.

FROM rust:1.95-alpine AS build
# musl-dev for the static build (TLS is rustls: no OpenSSL), the CA bundle for the image.
# The base image tag pins the Alpine release; packages take its security fixes.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev ca-certificates
WORKDIR /src
# Dependencies first, in their own layer: rebuilt only when Cargo.toml or Cargo.lock change.
# Every [[bench]] Cargo.toml declares needs a file for the manifest to load.
COPY Cargo.toml Cargo.lock ./
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN mkdir -p src benches examples \
    && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
    && sed -n '/^\[\[bench\]\]/{n;s/^name = "\(.*\)"/\1/p;}' Cargo.toml \
        | while read -r b; do echo 'fn main() {}' > "benches/$b.rs"; done \
    && for e in evaluate history_size dashboard_size; do echo 'fn main() {}' > "examples/$e.rs"; done \
    && cargo build --release --locked --bin bench-bot \
    && rm -rf src
COPY src ./src
COPY templates ./templates
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --bin bench-bot \
    && cp target/release/bench-bot /bench-bot

FROM scratch
# rustls (the API client and the history branch's https pushes) reads this bundle.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /bench-bot /usr/local/bin/bench-bot
ENTRYPOINT ["/usr/local/bin/bench-bot"]
