# SPDX-License-Identifier: GPL-2.0
# libredirect: build/lib/libredirect.so.0, libredirect.a and pkgconfig/libredirect.pc.
OBJCOPY ?= objcopy

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
# The library's own version, from the header's REDIRECT_VERSION_* (the map's newest node)
LIBREDIRECT_VERSION := $(shell sed -n 's/^\#define REDIRECT_VERSION_\(MAJOR\|MINOR\|MICRO\) //p' \
	libredirect/include/libredirect.h | paste -sd.)

# Link flags for programs using the shared library from build/ or an install.
LIBREDIRECT_LDFLAGS := $(LIBREDIRECT_SO) $(LIBREDIRECT_LIBS) -Wl,-rpath,'$$ORIGIN/../lib'

$(LIBREDIRECT_OBJS): override CFLAGS += -fPIC $(LIBREDIRECT_CFLAGS)

$(LIBREDIRECT_SO): $(LIBREDIRECT_OBJS) libredirect/libredirect.map
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libredirect.so.0 \
		-Wl,--version-script=libredirect/libredirect.map -Wl,-z,defs \
		-o $@ $(LIBREDIRECT_OBJS) $(LIBREDIRECT_LIBS)
	ln -sf libredirect.so.0 $(B)/lib/libredirect.so

# One relocatable object whose only global symbols are the map's (redirect_*):
# a static link sees the same interface as the shared object, and the
# library's internals cannot clash with the program's names.
$(B)/obj/libredirect/exports.txt: libredirect/libredirect.map
	@mkdir -p $(dir $@)
	sed -n 's/^[[:space:]]*\(redirect_[a-z0-9_]*\);.*/\1/p' $< > $@

$(LIBREDIRECT_A): $(LIBREDIRECT_OBJS) $(B)/obj/libredirect/exports.txt
	@mkdir -p $(dir $@)
	rm -f $@
	$(LD) -r -o $(B)/obj/libredirect/libredirect-all.o $(LIBREDIRECT_OBJS)
	$(OBJCOPY) --keep-global-symbols=$(B)/obj/libredirect/exports.txt \
		$(B)/obj/libredirect/libredirect-all.o
	$(AR) rcs $@ $(B)/obj/libredirect/libredirect-all.o

$(LIBREDIRECT_PC): libredirect/libredirect.pc.in libredirect/include/libredirect.h
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(LIBREDIRECT_VERSION)|g' $< > $@

USER_TARGETS += $(LIBREDIRECT_SO) $(LIBREDIRECT_A) $(LIBREDIRECT_PC)

.PHONY: libredirect
libredirect: $(LIBREDIRECT_SO) $(LIBREDIRECT_A) $(LIBREDIRECT_PC)
