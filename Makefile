# vipcare: `make demo` and `make test` are the two set-up commands (README).
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
DEMO_DB ?= vipcare-demo.db
DEMO_MEMBERS ?= 50000
VIPCARE := $(BUILD_DIR)/vipcare

.PHONY: all deps configure build test demo bench screenshots clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Builds everything and runs every suite: SQLite and a temporary PostgreSQL
# cluster started on 127.0.0.1 for the run.
test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# Builds, creates the demo database once (kept between runs), and serves the
# UI and API on http://127.0.0.1:8080.
demo: build
	@$(VIPCARE) --db $(DEMO_DB) init
	@$(VIPCARE) --db $(DEMO_DB) demo --members $(DEMO_MEMBERS) || \
	  echo "(the demo database $(DEMO_DB) already has data; serving it as it is)"
	@echo ""
	@echo "vipcare demo: open http://127.0.0.1:8080 and sign in as admin / vipcare-demo"
	@echo "(one account per role, same password: admin, hq, region1, store1, assoc1, callcenter1, auditor)"
	@echo "API: curl -X POST http://127.0.0.1:8080/api/v1/auth/login -d '{\"username\":\"admin\",\"password\":\"vipcare-demo\"}'"
	@echo "Stop with Ctrl-C."
	@$(VIPCARE) --db $(DEMO_DB) serve --host 127.0.0.1 --port 8080

# Runs the browser tests and keeps their photographs of the main pages in
# docs/screenshots (the README shows the member page).
screenshots: build
	@node web/tests/run.mjs --vipcare $(VIPCARE) --out $(BUILD_DIR)/web/browser-test-output \
	  --doc-shots docs/screenshots

bench: build
	@bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
