# SPDX-License-Identifier: GPL-2.0
# usersentry: the Sentry daemon, build/bin/usersentry.

USERSENTRY_SRCS := $(wildcard usersentry/*.c)
USERSENTRY_OBJS := $(USERSENTRY_SRCS:%.c=$(B)/obj/%.o)
# everything but main(), for tests that drive the handlers directly
USERSENTRY_CORE_OBJS := $(filter-out $(B)/obj/usersentry/main.o,$(USERSENTRY_OBJS))

$(B)/bin/usersentry: $(USERSENTRY_OBJS) $(LIBREDIRECT_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(USERSENTRY_OBJS) $(LIBREDIRECT_LDFLAGS)

USER_TARGETS += $(B)/bin/usersentry

.PHONY: usersentry
usersentry: $(B)/bin/usersentry
