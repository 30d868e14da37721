# SPDX-License-Identifier: GPL-2.0
# Tools: build/bin/<tool> from tools/<tool>.c, or from the files of tools/<tool>/
# when it has several. Those that use libredirect link it.

tool_srcs = $(or $(wildcard tools/$(1)/*.c),tools/$(1).c)
tool_objs = $(patsubst %.c,$(B)/obj/%.o,$(call tool_srcs,$(1)))

LIB_TOOLS := redirect-run $(foreach t,redirect-runc redirectctl,$(if $(wildcard tools/$(t).c tools/$(t)/*.c),$(t)))
TOOLS := $(LIB_TOOLS) redirect-bench

# $(1): the tool, $(2): what it links besides its objects (a prerequisite too)
define tool_rule
$(B)/bin/$(1): $(call tool_objs,$(1)) $(2)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $(call tool_objs,$(1)) $(3)
endef
$(foreach t,$(LIB_TOOLS),$(eval $(call tool_rule,$(t),$(LIBREDIRECT_SO),$$(LIBREDIRECT_LDFLAGS))))
$(eval $(call tool_rule,redirect-bench,,-lpthread))

$(foreach t,$(LIB_TOOLS),$(call tool_objs,$(t))): override CFLAGS += \
	-DREDIRECT_POLICY_DIR='"$(PREFIX)/share/redirect/policies"'

USER_TARGETS += $(TOOLS:%=$(B)/bin/%)
INSTALL_TOOLS += $(TOOLS)

.PHONY: tools
tools: $(TOOLS:%=$(B)/bin/%)
