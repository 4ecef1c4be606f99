# syntax=docker/dockerfile:1
# Production image. The default `embedded` feature (in-process PostgreSQL) is
# disabled: the bot talks to a real PostgreSQL server.
#
# Configuration comes from the environment, e.g.
#   COHORTBOT__DATABASE__URL=postgres://user:pass@host:5432/cohortbot
# Any setting can be given as COHORTBOT__SECTION__KEY.

FROM rust:1.95-bookworm AS builder
WORKDIR /src
COPY . .
RUN cargo build --release --locked --no-default-features \
 && cp target/release/cohortbot /usr/local/bin/cohortbot

FROM debian:bookworm-slim
# Non-root user; /app (the working dir) is writable for any local state.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /home/cohortbot --shell /usr/sbin/nologin cohortbot \
 && mkdir /app && chown cohortbot: /app
COPY --from=builder /usr/local/bin/cohortbot /usr/local/bin/cohortbot
COPY --from=builder /src/config /app/config
WORKDIR /app
USER cohortbot
# The HTTP side: /healthz, Slack and Discord endpoints, iCal feeds and badges.
ENV COHORTBOT__HTTP__LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["cohortbot"]
CMD ["run"]
