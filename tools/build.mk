# SPDX-License-Identifier: GPL-2.0
# Tools: build/bin/<tool> from tools/<tool>.c. Those that use libredirect link it.

LIB_TOOLS := redirect-run $(notdir $(basename $(wildcard tools/redirect-runc.c tools/redirectctl.c)))
TOOLS := $(LIB_TOOLS) redirect-bench

$(LIB_TOOLS:%=$(B)/bin/%): $(B)/bin/%: $(B)/obj/tools/%.o $(LIBREDIRECT_SO)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(B)/obj/tools/$*.o $(LIBREDIRECT_LDFLAGS)

$(B)/bin/redirect-bench: $(B)/obj/tools/redirect-bench.o
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

$(LIB_TOOLS:%=$(B)/obj/tools/%.o): override CFLAGS += \
	-DREDIRECT_POLICY_DIR='"$(PREFIX)/share/redirect/policies"'

USER_TARGETS += $(TOOLS:%=$(B)/bin/%)
INSTALL_TOOLS += $(TOOLS)

.PHONY: tools
tools: $(TOOLS:%=$(B)/bin/%)
