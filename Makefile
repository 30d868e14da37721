# SPDX-License-Identifier: GPL-2.0
# One make for everything: redirect.ko (through kbuild), libredirect, usersentry,
# the tools and the tests.  `make check` is the whole test suite.

VERSION := 0.1.0
DEBIAN_KDIR := $(lastword $(sort $(wildcard /lib/modules/6.1.*-amd64/build)))
ifneq ($(wildcard /lib/modules/$(shell uname -r)/build),)
KDIR ?= /lib/modules/$(shell uname -r)/build
else
KDIR ?= $(DEBIAN_KDIR)
endif
export REDIRECT_CACHE ?= /var/cache/redirect
PREFIX ?= /usr/local
DESTDIR ?=

B := build
CC ?= gcc
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter \
	-Werror=implicit-function-declaration -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
	-I$(CURDIR)/kmod/uapi -I$(CURDIR)/libredirect/include
LDFLAGS ?=

all: module user

# ---- kernel module -------------------------------------------------------
module:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "no kernel build directory: install linux-headers or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

module-clean:
	@test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean

# ---- user space (each component adds to USER_TARGETS) ---------------------
USER_TARGETS :=
include $(wildcard libredirect/build.mk usersentry/build.mk tools/build.mk)
PRODUCT_TARGETS := $(USER_TARGETS)
# Test programs add themselves to USER_TARGETS too; `make` does not build them.
include $(wildcard selftests/build.mk)
TEST_TARGETS := $(filter-out $(PRODUCT_TARGETS),$(USER_TARGETS))

user: $(PRODUCT_TARGETS)
tests: $(TEST_TARGETS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ---- install, DKMS ---------------------------------------------------------
# What `make install` puts in place, written once for install and uninstall:
# MODE:SOURCE:DESTINATION (under $(DESTDIR)).
MAN_PAGES := tools/man/redirect-run.1 tools/man/redirect-runc.1 tools/man/redirect-policy.5 \
	tools/man/redirectctl.8 tools/man/usersentry.8
INSTALL_FILES = \
	0755:$(B)/bin/usersentry:$(PREFIX)/sbin/usersentry \
	$(foreach t,$(INSTALL_TOOLS),0755:$(B)/bin/$(t):$(PREFIX)/bin/$(t)) \
	0644:$(B)/lib/libredirect.so.0:$(PREFIX)/lib/libredirect.so.0 \
	0644:libredirect/include/libredirect.h:$(PREFIX)/include/libredirect.h \
	0644:kmod/uapi/linux/redirect.h:$(PREFIX)/include/linux/redirect.h \
	0644:$(B)/lib/pkgconfig/libredirect.pc:$(PREFIX)/lib/pkgconfig/libredirect.pc \
	0644:usersentry/policies/default.json:$(PREFIX)/share/redirect/policies/default.json \
	0644:usersentry/policies/strict.json:$(PREFIX)/share/redirect/policies/strict.json \
	0644:usersentry/policies/views.json:$(PREFIX)/share/redirect/policies/views.json \
	0644:usersentry/policies/newer-abi.json:$(PREFIX)/share/redirect/policies/newer-abi.json \
	0644:$(B)/policies/docker-default.json:$(PREFIX)/share/redirect/policies/docker-default.json \
	0644:usersentry/systemd/usersentry.service:$(PREFIX)/lib/systemd/system/usersentry.service \
	0644:usersentry/systemd/redirect.conf:/etc/modules-load.d/redirect.conf \
	$(foreach m,$(MAN_PAGES),0644:$(m):$(PREFIX)/share/man/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
INSTALL_LINKS = $(PREFIX)/lib/libredirect.so

install: user
	@set -e; for e in $(INSTALL_FILES); do \
		mode=$${e%%:*}; r=$${e#*:}; src=$${r%%:*}; dst=$${r#*:}; \
		echo "install $$src $(DESTDIR)$$dst"; install -D -m $$mode $$src $(DESTDIR)$$dst; \
	done
	ln -sf libredirect.so.0 $(DESTDIR)$(PREFIX)/lib/libredirect.so
	sed -i 's|/usr/local/|$(PREFIX)/|g' $(DESTDIR)$(PREFIX)/lib/systemd/system/usersentry.service

# Removes exactly what install put in place (and our own policy directory).
uninstall:
	@for e in $(INSTALL_FILES); do r=$${e#*:}; rm -fv $(DESTDIR)$${r#*:}; done
	rm -fv $(addprefix $(DESTDIR),$(INSTALL_LINKS))
	-rmdir $(DESTDIR)$(PREFIX)/share/redirect/policies $(DESTDIR)$(PREFIX)/share/redirect 2>/dev/null

# dkms-source lays the module source out for DKMS; dkms-install builds and
# installs it for the running kernel (or DKMS_KERNEL).
DKMS_SRC := $(DESTDIR)/usr/src/redirect-$(VERSION)
dkms-source:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -r Kbuild dkms.conf kmod $(DKMS_SRC)/
	find $(DKMS_SRC)/kmod \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \) -delete

dkms-install: dkms-source
	dkms add -m redirect -v $(VERSION)
	dkms build -m redirect -v $(VERSION) $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))
	dkms install -m redirect -v $(VERSION) $(if $(DKMS_KERNEL),-k $(DKMS_KERNEL))

dkms-remove:
	-dkms remove -m redirect -v $(VERSION) --all
	rm -rf $(DKMS_SRC)

# ---- the deployment image --------------------------------------------------
# tools/deploy/kubernetes/daemonset.yaml's image, built from Debian with
# debootstrap and `docker import` (tools/image.sh); IMAGE names it, e.g.
# `make image IMAGE=registry.example/redirect:$(VERSION)` then `docker push`;
# into the Docker that DOCKER (a client) reaches, e.g. with DOCKER_HOST. As root.
IMAGE ?= redirect:$(VERSION)
DOCKER ?= docker
image:
	DOCKER='$(DOCKER)' tools/image.sh $(IMAGE)

.PHONY: dkms-source image

# ---- style (tools/lint.sh; README.md, "Development") -----------------------
# lint: checkpatch --strict on kmod/, shellcheck on every shell script, user
# space and tests built with -Werror into $(B)/werror. format-check: clang-format
# on the C lines changed since BASE (default origin/main, else main).
lint:
	tools/lint.sh checkpatch shellcheck werror

format-check:
	BASE='$(BASE)' tools/lint.sh format

.PHONY: lint format-check

# ---- the main job and the tests --------------------------------------------
demo:
	tools/demo.sh

check: all tests
	selftests/run.sh

# The reliability suite at length on the debug kernel (KASAN, lockdep, kmemleak,
# failslab): REL_LONG=1 for the long fuzz and soak.
reliability: all tests
	tools/build-module.sh $$(tools/testkernel/build.sh) build/kmod-debug
	tools/vm-run --kernel $$(tools/testkernel/build.sh)/arch/x86/boot/bzImage \
		--timeout 7200 --append kasan_multi_shot -- \
		env REL_RACES=1 REL_LONG=$${REL_LONG:-0} selftests/vm/debug-kernel-checks.sh \
		selftests/reliability/run-in-vm.sh build/kmod-debug/kmod

clean: module-clean
	rm -rf $(B)

.PHONY: all module module-clean user tests reliability install uninstall dkms-install dkms-remove demo check clean

# Soak (selftests/reliability/soak.sh): usersentry in module mode serving many
# sandboxes for SOAK_SECONDS (default 1800) on Debian's kernel, or with
# SOAK_KERNEL=debug on the debug test kernel, where kmemleak, KASAN and lockdep
# reports fail it too.
SOAK_SECONDS ?= 1800
SOAK_KERNEL ?= distro
soak: all tests
	@if [ "$(SOAK_KERNEL)" = debug ]; then \
		tk=$$(tools/testkernel/build.sh) && \
		tools/build-module.sh $$tk build/kmod-debug && \
		tools/vm-run --kernel $$tk/arch/x86/boot/bzImage --append kasan_multi_shot \
			--timeout $$(($(SOAK_SECONDS) + 1200)) -- \
			selftests/vm/debug-kernel-checks.sh \
			selftests/reliability/soak-in-vm.sh build/kmod-debug/kmod $(SOAK_SECONDS); \
	else \
		kd=$$(ls -d /lib/modules/6.1.*-amd64/build | sort -V | tail -1) && \
		tools/build-module.sh $$kd build/kmod-distro && \
		tools/vm-run --timeout $$(($(SOAK_SECONDS) + 900)) -- \
			selftests/reliability/soak-in-vm.sh build/kmod-distro/kmod $(SOAK_SECONDS); \
	fi
.PHONY: soak

# The performance report: micro and macro benchmarks on the host (portable
# mode) and in the VM (module mode) into docs/performance.md and .png;
# BENCH_QUICK=1 for a quick run.
bench-report:
	tools/bench/report.sh $(if $(BENCH_QUICK),--quick)

.PHONY: bench-report
