# callsim container image: a static binary on a distroless base, run as a
# non-root user. Used by the Kubernetes manifests in deploy/kubernetes.
#
#   docker build -t REGISTRY/callsim:TAG .
#   docker run --rm REGISTRY/callsim:TAG demo
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/callsim ./cmd/callsim

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/callsim /usr/local/bin/callsim
USER 65532:65532
WORKDIR /home/nonroot
ENTRYPOINT ["/usr/local/bin/callsim"]
CMD ["--help"]
