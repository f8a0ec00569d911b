# flick. On a fresh Debian 12 machine with Go installed, two commands:
#   make run    installs what is missing, builds, opens the viewer (FILE=... to open a file)
#   make test   installs what is missing, builds, runs every test (GL tests under Xvfb)

GO      ?= go
FILE    ?=
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
# lld with --gc-sections drops go-astiav's C wrappers for libavdevice,
# libavfilter and libswscale, which flick never calls, and --as-needed then
# leaves those libraries, and the 77 more they pull in, unloaded: 147
# libraries instead of 224, so the dynamic loader's symbol lookups, at every
# start and again when EGL loads Mesa and LLVM, take half as long (flick
# --version: 72 -> 35 ms of CPU, a one-frame flick export 207 -> 170).
# GNU ld keeps a library that only discarded sections refer to.
EXTLDFLAGS := -fuse-ld=lld -Wl,--gc-sections -Wl,--as-needed

# Debian packages: compilers, lld (see EXTLDFLAGS), OpenEXR 3.1,
# OpenColorIO 2.1 and FFmpeg 5.1 headers, GL/X11 for
# the window (GLFW loads the X extension libraries at run time), EGL for
# flick export without a display (headers; libEGL and Mesa's EGL vendor
# library, which flick opens at run time), and Xvfb,
# Mesa's llvmpipe and ImageMagick's import for the GL and screenshot tests,
# OpenEXR's command-line tools (exrheader, exrmaketiled, exrstdattr) that
# the header tests use to make and check files.
DEBS := gcc g++ lld pkg-config git \
	libopenexr-dev libdeflate-dev libopencolorio-dev \
	libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev \
	libavfilter-dev libavdevice-dev \
	libgl-dev libx11-dev libxrandr2 libxinerama1 libxcursor1 libxi6 libxxf86vm1 \
	libegl-dev libegl1 libegl-mesa0 \
	libgl1-mesa-dri xvfb xauth imagemagick xdotool openexr

.PHONY: all deps build run test bench fuzz lint clean

all: build

deps:
	@command -v $(GO) >/dev/null || { echo "make: Go is not installed: flick needs Go 1.26 or newer (https://go.dev/dl)"; exit 1; }
	@missing=""; \
	for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "make: installing Debian packages:$$missing"; \
		$$sudo apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The first build compiles cimgui-go's bindings: several minutes, then cached.
build: deps
	$(GO) build -ldflags '$(LDFLAGS) -extldflags "$(EXTLDFLAGS)"' -o flick .

run: build
	./flick $(FILE)

# engine and settings run under the race detector; the GL packages and the
# end-to-end tests start their own Xvfb when there is no DISPLAY (their
# flick binary linked as build links it: FLICK_EXTLDFLAGS); render's
# tests run again on the headless EGL context flick export uses without one.
test: deps lint build
	$(GO) test -race -shuffle=on ./engine/... ./settings/...
	FLICK_EXTLDFLAGS="$(EXTLDFLAGS)" $(GO) test -shuffle=on ./render/... ./ui/... ./export/... .
	FLICK_TEST_GL=egl $(GO) test -shuffle=on ./render/

bench: deps
	$(GO) test -run='^$$' -bench=. -benchmem ./...

# The fuzz targets (the EXR reader's, the Huffman decoder's, the sequence notation's), FUZZTIME
# each, one worker (not part of test); crashers land in the package's
# testdata/fuzz.
FUZZTIME ?= 5m
fuzz: deps
	$(GO) test -run='^$$' -fuzz=FuzzOpenDecode -fuzztime=$(FUZZTIME) -parallel=1 ./engine/exr/
	$(GO) test -run='^$$' -fuzz=FuzzDecodeChunks -fuzztime=$(FUZZTIME) -parallel=1 ./engine/exr/
	$(GO) test -run='^$$' -fuzz=FuzzHufUncompress -fuzztime=$(FUZZTIME) -parallel=1 ./engine/exr/
	$(GO) test -run='^$$' -fuzz=FuzzSequenceNotation -fuzztime=$(FUZZTIME) -parallel=1 ./engine/

lint:
	@bad=$$(gofmt -l .); \
	if [ -n "$$bad" ]; then echo "gofmt needed on: $$bad"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -f flick
