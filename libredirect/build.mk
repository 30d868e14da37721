# SPDX-License-Identifier: GPL-2.0
# libredirect: build/lib/libredirect.so.0, libredirect.a and pkgconfig/libredirect.pc.

# every libredirect/*.c: the policy is policy*.c (one file per part, declared in policy.h)
LIBREDIRECT_SRCS := $(wildcard libredirect/*.c)
LIBREDIRECT_OBJS := $(LIBREDIRECT_SRCS:%.c=$(B)/obj/%.o)
LIBNL_CFLAGS := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null || echo -I/usr/include/libnl3)
LIBNL_LIBS := $(shell pkg-config --libs libnl-genl-3.0 2>/dev/null || echo -lnl-genl-3 -lnl-3)
LIBREDIRECT_LIBS := -lseccomp -ljson-c $(LIBNL_LIBS)
# kmod/rules_eval.h: the tier-1 rule engine, compiled here as in the module
LIBREDIRECT_CFLAGS := -I$(CURDIR)/kmod $(LIBNL_CFLAGS)
LIBREDIRECT_SO := $(B)/lib/libredirect.so.0
LIBREDIRECT_A := $(B)/lib/libredirect.a
LIBREDIRECT_PC := $(B)/lib/pkgconfig/libredirect.pc

# Link flags for programs using the shared library from build/ or an install.
LIBREDIRECT_LDFLAGS := $(LIBREDIRECT_SO) $(LIBREDIRECT_LIBS) -Wl,-rpath,'$$ORIGIN/../lib'

$(LIBREDIRECT_OBJS): override CFLAGS += -fPIC -DREDIRECT_VERSION='"$(VERSION)"' \
	$(LIBREDIRECT_CFLAGS)

$(LIBREDIRECT_SO): $(LIBREDIRECT_OBJS) libredirect/libredirect.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libredirect.so.0 \
		-Wl,--version-script=libredirect/libredirect.map -Wl,-z,defs \
		-o $@ $(LIBREDIRECT_OBJS) $(LIBREDIRECT_LIBS)
	ln -sf libredirect.so.0 $(B)/lib/libredirect.so

$(LIBREDIRECT_A): $(LIBREDIRECT_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(LIBREDIRECT_PC): libredirect/libredirect.pc.in
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

USER_TARGETS += $(LIBREDIRECT_SO) $(LIBREDIRECT_A) $(LIBREDIRECT_PC)

.PHONY: libredirect
libredirect: $(LIBREDIRECT_SO) $(LIBREDIRECT_A) $(LIBREDIRECT_PC)
