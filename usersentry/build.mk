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

# Docker's default seccomp profile, which policies/default.json extends: taken
# from Debian's golang-github-docker-docker-dev (Apache-2.0, not kept in this
# tree); usersentry/policies/docker-default.json links here.
$(B)/policies/docker-default.json:
	@mkdir -p $(dir $@)
	@src=$$(selftests/portable/docker-profile.sh) || { echo "cannot fetch Docker's" \
		"seccomp profile (package golang-github-docker-docker-dev): default.json" \
		"needs it as $@" >&2; exit 1; }; cp "$$src" $@.tmp && mv $@.tmp $@

USER_TARGETS += $(B)/policies/docker-default.json
