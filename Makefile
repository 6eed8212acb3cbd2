# The two commands a newcomer needs: `make demo` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DB ?= $(BUILD)/demo.db
SAMPLE := data/samples/unhabitat-2021
RMIS := $(BUILD)/src/cli/rmis

.PHONY: all deps configure build demo test clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# Builds, loads the bundled sample ledger into a fresh SQLite store and prints
# the 2021 report as the source document saw it (30 June 2021).
demo: build
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(RMIS) init --db $(DEMO_DB)
	$(RMIS) import --db $(DEMO_DB) $(SAMPLE)
	$(RMIS) report --db $(DEMO_DB) --year 2021 --as-of 2021-06-30
	@echo
	@echo "The store is $(DEMO_DB). Try: $(RMIS) report --db $(DEMO_DB) --year 2020 --as-of 2020-12-31 --basis net"

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD)
