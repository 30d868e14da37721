# SPDX-License-Identifier: GPL-2.0
# The kernel/user rule-engine comparison, build/selftests/rules/rules_vm_test;
# run in a VM by selftests/rules/run-in-vm.sh.
RULES_SELFTESTS := $(B)/selftests/rules/rules_vm_test
USER_TARGETS += $(RULES_SELFTESTS)

$(B)/selftests/rules/rules_vm_test: selftests/rules/rules_vm_test.c $(LIBREDIRECT_SO) \
		kmod/uapi/linux/redirect.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(LIBREDIRECT_SO) $(LIBREDIRECT_LIBS) \
		-Wl,-rpath,'$$ORIGIN/../../lib'

.PHONY: rules-selftests
rules-selftests: $(RULES_SELFTESTS)
