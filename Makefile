# The two commands a newcomer needs: `make demo` and `make test`.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_DB ?= $(BUILD)/demo.db
SAMPLE := data/samples/unhabitat-2021
RMIS := $(BUILD)/src/cli/rmis

DEMO_LISTEN ?= 127.0.0.1:8080
DEMO_PID := $(BUILD)/demo-server.pid

# Hostile input (issue 6): the whole suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (gcc), and the libFuzzer targets of fuzz/ (clang).
SANITIZE_BUILD ?= build-sanitize
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= csv_reader dataset_reader money date json_record
FUZZ_CC ?= clang-14
FUZZ_CXX ?= clang++-14

.PHONY: all deps configure build demo demo-stop test test-sanitize fuzz clean web

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j $(JOBS)

# The web dashboard (issue 4, docs/web.md): the npm packages of web/package-lock.json,
# built into web/dist, which the demo server serves at /. Skipped when npm is missing.
web:
	@if command -v npm > /dev/null 2>&1; then \
	  cd web && { [ -f node_modules/.package-lock.json ] && [ ! package-lock.json -nt node_modules/.package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build; \
	else echo "npm is missing: the web dashboard is not built (scripts/install-deps.sh installs nodejs and npm)"; fi

# Builds, loads the bundled sample ledger into a fresh SQLite store, prints
# the 2021 report as the source document saw it (30 June 2021), and starts
# the API server on that store with two demo accounts (see README.md).
demo: build web demo-stop
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(RMIS) init --db $(DEMO_DB)
	$(RMIS) import --db $(DEMO_DB) $(SAMPLE)
	$(RMIS) report --db $(DEMO_DB) --year 2021 --as-of 2021-06-30
	$(RMIS) document report --db $(DEMO_DB) --year 2021 --as-of 2021-06-30 --forecast-as-of 2021-08-19 \
	  --appeals-as-of 2020-11-30 --concentration-year 2019 --lang zh --format pdf -o $(BUILD)/demo-report-zh.pdf
	$(RMIS) document report --db $(DEMO_DB) --year 2021 --as-of 2021-06-30 --forecast-as-of 2021-08-19 \
	  --appeals-as-of 2020-11-30 --concentration-year 2019 --lang en --format html -o $(BUILD)/demo-report-en.html
	$(RMIS) document bulletin --db $(DEMO_DB) --month 2021-06 --lang fr --format eml -o $(BUILD)/demo-bulletin-2021-06-fr.eml
	RMIS_PASSWORD=demo-admin-2021 $(RMIS) user add demo-admin --role admin --db $(DEMO_DB)
	RMIS_PASSWORD=demo-viewer-2021 $(RMIS) user add demo-viewer --role viewer --db $(DEMO_DB)
	nohup $(RMIS) serve --db $(DEMO_DB) --listen $(DEMO_LISTEN) $$([ -f web/dist/index.html ] && echo --static web/dist) > $(BUILD)/demo-server.log 2>&1 & echo $$! > $(DEMO_PID)
	@sleep 1
	@cat $(BUILD)/demo-server.log
	@echo
	@echo "The store is $(DEMO_DB); the server runs in the background (log: $(BUILD)/demo-server.log)."
	@echo "API: http://$(DEMO_LISTEN)/api/v1/  (log in as demo-admin / demo-admin-2021, or demo-viewer / demo-viewer-2021)"
	@echo "  curl -c cookies -d '{\"user\":\"demo-viewer\",\"password\":\"demo-viewer-2021\"}' http://$(DEMO_LISTEN)/api/v1/login"
	@echo "  curl -b cookies 'http://$(DEMO_LISTEN)/api/v1/report?year=2021&as_of=2021-06-30'"
	@if [ -f web/dist/index.html ]; then echo "Dashboard: http://$(DEMO_LISTEN)/#/overview?year=2021&as_of=2021-06-30  (log in as demo-admin / demo-admin-2021)"; fi
	@echo "Stop it with: make demo-stop"

demo-stop:
	@if [ -f $(DEMO_PID) ]; then kill $$(cat $(DEMO_PID)) 2>/dev/null || true; rm -f $(DEMO_PID); sleep 0.5; fi

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# Every test, with every memory error, leak and undefined behaviour fatal.
test-sanitize: deps
	cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=Release -DRMIS_SANITIZE=ON
	cmake --build $(SANITIZE_BUILD) -j $(JOBS)
	cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitize/lsan-suppressions.txt:print_suppressions=0 \
	  ctest --output-on-failure -j $(JOBS)

# Each fuzz target for FUZZ_SECONDS (fuzz/run.sh); fails when one finds an input that breaks it.
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Release -DRMIS_FUZZ=ON -DRMIS_BUILD_TESTS=OFF \
	  -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_CXX_COMPILER=$(FUZZ_CXX)
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	./fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(SANITIZE_BUILD) $(FUZZ_BUILD)
