# roomwatch: build, test and package. `make dist` needs goreleaser
# (make goreleaser installs the pinned one into $(go env GOPATH)/bin).

GO          ?= go
GORELEASER  ?= $(shell command -v goreleaser 2>/dev/null || echo $(shell $(GO) env GOPATH)/bin/goreleaser)
# v2.17.0 is the newest GoReleaser that builds with Go 1.26 (2.18 wants 1.27).
GORELEASER_VERSION ?= v2.17.0

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
DATE    ?= $(shell git log -1 --format=%cI 2>/dev/null)
LDFLAGS := -s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.date=$(DATE)

# GoReleaser reads the repository's URL even for a snapshot and, without a
# remote, stamps "none" as the commit; this names one for its git calls only.
export GIT_CONFIG_COUNT   := 1
export GIT_CONFIG_KEY_0   := remote.origin.url
export GIT_CONFIG_VALUE_0 := https://github.com/roomwatch/roomwatch.git

.PHONY: build test check dist packages goreleaser clean

build: ## ./roomwatch for this machine, with version, commit and date stamped
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o roomwatch ./cmd/roomwatch

test:
	$(GO) test ./...

check: ## what CI checks besides the tests
	test -z "$$(gofmt -l $$(git ls-files '*.go'))"
	$(GO) vet ./...

dist: goreleaser ## binaries, tar.gz, .deb, .rpm and checksums for every platform, in dist/
	$(GORELEASER) release --snapshot --clean

packages: ## build the amd64 .deb, install it here (root) and check it: .ci/packages
	.ci/packages

goreleaser:
	@command -v $(GORELEASER) >/dev/null 2>&1 || $(GO) install github.com/goreleaser/goreleaser/v2@$(GORELEASER_VERSION)

clean:
	rm -rf dist packaging/build roomwatch
