# scalesocket in a FROM scratch image: the Linux executable, its dynamic loader and the libraries
# it links, and nothing else (no shell). Add the program it wraps: see README, "Install".
#
#   docker build -t scalesocket .
#   docker buildx build --platform linux/amd64,linux/arm64 -t scalesocket .
#
# Without a Docker engine, `npm run image` builds the same image with umoci.

# The build stage needs the network: npm ci, then the pinned Node from npm for the executable.
FROM node:22-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# "host": the executable for the platform this stage runs on, so buildx gets amd64 and arm64.
# Then the tree of the last stage: the executable, and each library at the path ldd names.
RUN npm run package -- host && npx tsx scripts/image.ts rootfs /rootfs

FROM scratch
COPY --from=build /rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
EXPOSE 9000
# scalesocket, as PID 1, handles SIGTERM itself: clients get 1001, rooms stop, exit code 0.
# It does not reap orphaned grandchildren: run with --init if the wrapped program leaves any.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/scalesocket"]
CMD ["--help"]
