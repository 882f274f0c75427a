# Braid: `make demo` and `make test` install what is missing, build, and run.
SWIFT ?= swift
APT_PACKAGES := liblmdb-dev etcd-server libmariadb-dev mariadb-server mariadb-client sysbench
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
DEMO_DIR ?= $(CURDIR)/demo-data

.PHONY: deps build test api-check demo demo-ha demo-log bench clean

deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) api-check

# schemathesis (PyPI) against a live master: no 5xx, no response that violates Sources/API/openapi.yaml.
api-check:
	BRAID=$$($(SWIFT) build --show-bin-path)/braid ./scripts/api-check.sh

# The README's main command: a real shard merge on three local MariaDB servers (scripts/demo.sh).
demo: deps
	$(SWIFT) build --product braid
	BRAID=$$($(SWIFT) build --show-bin-path)/braid DEMO_DIR=$(DEMO_DIR) ./scripts/demo.sh

# The same merge on an HA cluster (3 etcd, 3 masters), the leader SIGKILLed mid-lock (scripts/demo-ha.sh).
demo-ha: deps
	$(SWIFT) build --product braid
	BRAID=$$($(SWIFT) build --show-bin-path)/braid DEMO_DIR=$(CURDIR)/demo-ha-data ./scripts/demo-ha.sh

# The engine-only scenario of issue 2: scripted shard DDLs through the decider into a log, then audit it.
demo-log: deps
	$(SWIFT) build --product braid
	rm -rf $(DEMO_DIR)
	$(SWIFT) run --skip-build braid demo --data-dir $(DEMO_DIR)
	$(SWIFT) run --skip-build braid log audit lock 'demo-`shardddl`.`tb`' --data-dir $(DEMO_DIR)
	$(SWIFT) run --skip-build braid log verify --data-dir $(DEMO_DIR)

bench: deps
	$(SWIFT) build -c release --product braid-bench
	.build/release/braid-bench all

clean:
	rm -rf .build $(DEMO_DIR)
