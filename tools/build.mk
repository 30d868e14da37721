# SPDX-License-Identifier: GPL-2.0
# Tools: build/bin/redirect-run (more tools join here).

TOOLS := redirect-run redirect-bench

$(B)/bin/redirect-run: $(B)/obj/tools/redirect-run.o $(LIBREDIRECT_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/obj/tools/redirect-run.o $(LIBREDIRECT_LDFLAGS)

$(B)/bin/redirect-bench: $(B)/obj/tools/redirect-bench.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

$(B)/obj/tools/redirect-run.o: override CFLAGS += \
	-DREDIRECT_POLICY_DIR='"$(PREFIX)/share/redirect/policies"'

USER_TARGETS += $(TOOLS:%=$(B)/bin/%)
INSTALL_TOOLS += $(TOOLS)

.PHONY: tools
tools: $(TOOLS:%=$(B)/bin/%)
