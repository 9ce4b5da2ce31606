# Bridge — `make run` (install, build, run the default suite on this kernel) and `make test`.
SHELL := /bin/bash
CONFIG ?= Release
DOTNET ?= dotnet
# The CLI as `make run`, the benchmarks and users run it: this build, ReadyToRun-compiled (publish --no-build); next to
# it pinbridge-agent, the agent a VM guest runs, compiled ahead of time (Native AOT): under TCG a JIT-compiled agent
# spends most of a run starting .NET.
BRIDGE := artifacts/pinbridge/pinbridge
PACKAGE_LISTS := containers/host-packages.txt $(wildcard containers/vm/packages.txt containers/image/packages.txt)
SUITE ?= default

.PHONY: all deps install uninstall native build run test test-kernels test-crash test-reports mutate fuzz bench format clean container-test
# Where every test run writes one JUnit and one TRX file per test project (tests/Directory.Build.props).
TEST_RESULTS := artifacts/test-results

all: build

# Installs the Debian packages every list names, once: `apt-get update` only when something is missing.
# Inside the test image (make container-test) the recipe already holds what the tests need, and there is no network.
deps:
	@[ -n "$$BRIDGE_IN_CONTAINER" ] && exit 0; \
	missing=$$(grep -hv '^\s*\(#\|$$\)' $(PACKAGE_LISTS) | sort -u | while read -r p; do \
	  dpkg-query -W -f='$${Status}\n' "$$p" 2>/dev/null | grep -q '^install ok installed' || echo "$$p"; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

native:
	$(MAKE) -C native

# The built command under $(PREFIX) (DESTDIR for packagers): lib/pinbridge/bin holds the build and lib/pinbridge/scenarios
# the suites (the command looks upward from its binary for scenarios/), bin/pinbridge links to it, and bash completes it.
PREFIX ?= /usr/local
install: build
	rm -rf $(DESTDIR)$(PREFIX)/lib/pinbridge
	mkdir -p $(DESTDIR)$(PREFIX)/lib/pinbridge $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	cp -a artifacts/pinbridge $(DESTDIR)$(PREFIX)/lib/pinbridge/bin
	cp -a scenarios $(DESTDIR)$(PREFIX)/lib/pinbridge/scenarios
	ln -sfn ../lib/pinbridge/bin/pinbridge $(DESTDIR)$(PREFIX)/bin/pinbridge
	install -m 644 managed/Bridge.Cli/completion/pinbridge.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pinbridge

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/lib/pinbridge $(DESTDIR)$(PREFIX)/bin/pinbridge $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pinbridge

build: deps native
	$(DOTNET) build Bridge.sln -c $(CONFIG) -nologo -v quiet
	$(DOTNET) publish managed/Bridge.Cli -c $(CONFIG) --no-build -o artifacts/pinbridge -nologo -v quiet
	$(DOTNET) publish managed/Bridge.Agent.Guest -c $(CONFIG) --no-build -o artifacts/pinbridge -nologo -v quiet -p:DebugType=none

# GNU make exits 0 or 2 whatever a recipe returns: the run's own exit code (1 findings, 2 usage, 4 nothing judged,
# 130 interrupted) is printed, and CI jobs that need it run $(BRIDGE) after `make build`.
run: build
	@$(BRIDGE) run --suite $(SUITE); code=$$?; \
	case $$code in 0) ;; 1) echo "pinbridge exited 1: findings" >&2 ;; 2) echo "pinbridge exited 2: usage or input errors" >&2 ;; \
	  4) echo "pinbridge exited 4: nothing was judged (every scenario skipped)" >&2 ;; *) echo "pinbridge exited $$code" >&2 ;; esac; \
	exit $$code

# Every test project, one at a time (the real-kernel tests share loop devices, mounts and huge pages); then the
# reports they wrote are read back by a JUnit/TRX consumer — also after a failure, so that the last lines of a CI log
# name the failed tests and their messages.
test: build .ci/test-reports/node_modules/.installed
	rm -rf $(TEST_RESULTS)
	$(DOTNET) test --solution Bridge.sln -c $(CONFIG) --no-build --max-parallel-test-modules 1; rc=$$?; \
	$(MAKE) --no-print-directory test-reports; exit $$rc

# The scenario parser under its property-based fuzzer (tests/Bridge.Core.Tests/Fuzz) for FUZZ_SECONDS from
# BRIDGE_FUZZ_SEED (default: a new seed, printed first); `make test` runs the same test for 20 s from a fixed seed.
# The GC heap is capped so that a regression fails the test instead of exhausting the machine.
FUZZ_SECONDS ?= 600
fuzz: build
	@seed=$${BRIDGE_FUZZ_SEED:-$$(od -An -N6 -tu8 /dev/urandom | tr -d ' ')}; \
	echo "fuzz: seed $$seed for $(FUZZ_SECONDS) s (BRIDGE_FUZZ_SEED=$$seed make fuzz repeats it)"; \
	BRIDGE_FUZZ_SEED=$$seed BRIDGE_FUZZ_SECONDS=$(FUZZ_SECONDS) DOTNET_GCHeapHardLimit=0x100000000 \
	  artifacts/bin/Bridge.Core.Tests/$(shell echo $(CONFIG) | tr A-Z a-z)/Bridge.Core.Tests \
	  --filter-class Bridge.Core.Tests.Fuzz.ScenarioFuzzTests --output Detailed

# Every kernel line of containers/vm/recipe.json at its newest version (several TCG boots per line: not part of
# `make test`): the guest's release, the io_uring row for ext4 MAP_SHARED against the line's model, soft-RoCE up.
test-kernels: build
	rm -f artifacts/test-kernels/table.txt
	BRIDGE_TEST_KERNELS=1 $(DOTNET) test --project tests/Bridge.Targets.Tests -c $(CONFIG) --no-build --filter-class '*KernelLinesTests' --filter-class '*BisectKernelsTests'; rc=$$?; \
	echo "line                 version          guest release          io_uring model: io_uring      rdma link                          exec (s, with fetch)"; \
	cat artifacts/test-kernels/table.txt; exit $$rc

# Power cuts in a VM, the long way (21 + 7 TCG boots: not part of `make test`): scenarios/crash/race.scn, 20 power cuts
# as a race ends on ext4 (Debian 6.12), must leave no finding; scenarios/writers/crash.scn, a file writer, fsync and a
# power cut on ext4, xfs and btrfs.
test-crash: build
	BRIDGE_TEST_CRASH=1 $(DOTNET) test --project tests/Bridge.Targets.Tests -c $(CONFIG) --no-build --filter-method '*APowerCutAsARaceEnds*' \
		--filter-method '*WhatAFileWriterFsyncedSurvivesAPowerCut*'

# test-results-parser (npm) reads $(TEST_RESULTS) as a CI server would; the test container has no node and no network.
test-reports: .ci/test-reports/node_modules/.installed
	@if [ -n "$$BRIDGE_IN_CONTAINER" ]; then echo "test reports: not checked inside the test container (no node there)"; \
	else node .ci/test-reports/check.mjs $(TEST_RESULTS) tests; fi

.ci/test-reports/node_modules/.installed: .ci/test-reports/package.json .ci/test-reports/package-lock.json
	@[ -n "$$BRIDGE_IN_CONTAINER" ] && exit 0; \
	npm ci --prefix .ci/test-reports --no-audit --no-fund --loglevel=error && touch $@

# Mutation testing with Stryker.NET (a local dotnet tool, .config/dotnet-tools.json; not part of `make test`): each
# project's stryker-config.json names its test projects and folders. One project at a time, one CPU (the run is
# long and the machine shared). MUTATE_PROJECTS=Bridge.Core limits the projects, MUTATE='Oracle/**/*.cs' the files.
# Reports: artifacts/mutation/<project>/reports/mutation-report.{html,json}; the scores per folder are printed last.
MUTATE_PROJECTS ?= Bridge.Core Bridge.Simulator
mutate: build
	$(DOTNET) tool restore
	@for p in $(MUTATE_PROJECTS); do \
	  (cd managed/$$p && $(DOTNET) stryker $(if $(MUTATE),--mutate '$(MUTATE)') -O ../../artifacts/mutation/$$p) || exit 1; \
	done
	node .ci/mutation-scores.mjs $(MUTATE_PROJECTS:%=artifacts/mutation/%/reports/mutation-report.json)

# `make test` inside a privileged container on the local (or a private) Docker engine; builds the image if missing.
container-test: deps
	containers/image/container-test.sh

bench: build
	@for b in bench/*/run.sh; do echo "== $$b"; bash "$$b" || exit 1; done

format:
	$(DOTNET) format Bridge.sln --verify-no-changes
	clang-format --dry-run --Werror native/*.c

clean:
	rm -rf artifacts
	$(MAKE) -C native clean
