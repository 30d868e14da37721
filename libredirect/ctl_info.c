// SPDX-License-Identifier: GPL-2.0
/* Getters of the module's reports: the layouts stay inside the library (ctl_info.h). */
#include <stdlib.h>
#include <string.h>

#include "ctl_info.h"

/* ---- counters -------------------------------------------------------------------------------- */

unsigned int redirect_stat_count(void)
{
	return REDIRECT_STAT_COUNT;
}

unsigned int redirect_hist_buckets(void)
{
	return REDIRECT_HIST_BUCKETS;
}

uint64_t redirect_counters_stat(const struct redirect_counters *c, unsigned int stat)
{
	return stat < REDIRECT_STAT_COUNT ? c->stats[stat] : 0;
}

uint64_t redirect_counters_hist(const struct redirect_counters *c, unsigned int bucket)
{
	return bucket < REDIRECT_HIST_BUCKETS ? c->hist[bucket] : 0;
}

/* ---- sandboxes ------------------------------------------------------------------------------- */

size_t redirect_sandbox_list_count(const struct redirect_sandbox_list *list)
{
	return list ? list->n : 0;
}

const struct redirect_sandbox_info *
redirect_sandbox_list_get(const struct redirect_sandbox_list *list, size_t i)
{
	return list && i < list->n ? &list->items[i] : NULL;
}

void redirect_sandbox_list_free(struct redirect_sandbox_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

void redirect_sandbox_info_free(struct redirect_sandbox_info *info)
{
	free(info);
}

uint32_t redirect_sandbox_info_id(const struct redirect_sandbox_info *info)
{
	return info->sandbox_id;
}

const char *redirect_sandbox_info_name(const struct redirect_sandbox_info *info)
{
	return info->name;
}

uint32_t redirect_sandbox_info_fail_mode(const struct redirect_sandbox_info *info)
{
	return info->fail_mode;
}

bool redirect_sandbox_info_owned(const struct redirect_sandbox_info *info)
{
	return info->owned;
}

uint32_t redirect_sandbox_info_forward_pending(const struct redirect_sandbox_info *info)
{
	return info->forward_pending;
}

uint32_t redirect_sandbox_info_delivered(const struct redirect_sandbox_info *info)
{
	return info->delivered;
}

uint32_t redirect_sandbox_info_replay(const struct redirect_sandbox_info *info)
{
	return info->replay;
}

uint64_t redirect_sandbox_info_rules_generation(const struct redirect_sandbox_info *info)
{
	return info->rules_generation;
}

const struct redirect_counters *
redirect_sandbox_info_counters(const struct redirect_sandbox_info *info)
{
	return &info->counters;
}

/* ---- per-syscall statistics -------------------------------------------------------------------- */

size_t redirect_syscall_stats_list_count(const struct redirect_syscall_stats_list *list)
{
	return list ? list->n : 0;
}

const struct redirect_syscall_stats *
redirect_syscall_stats_list_get(const struct redirect_syscall_stats_list *list, size_t i)
{
	return list && i < list->n ? &list->items[i] : NULL;
}

void redirect_syscall_stats_list_free(struct redirect_syscall_stats_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

uint32_t redirect_syscall_stats_nr(const struct redirect_syscall_stats *stats)
{
	return stats->nr;
}

const struct redirect_counters *
redirect_syscall_stats_counters(const struct redirect_syscall_stats *stats)
{
	return &stats->counters;
}

/* ---- rules ------------------------------------------------------------------------------------- */

size_t redirect_rule_info_list_count(const struct redirect_rule_info_list *list)
{
	return list ? list->n : 0;
}

const struct redirect_rule_info *
redirect_rule_info_list_get(const struct redirect_rule_info_list *list, size_t i)
{
	return list && i < list->n ? &list->items[i] : NULL;
}

void redirect_rule_info_list_free(struct redirect_rule_info_list *list)
{
	if (!list)
		return;
	free(list->items);
	free(list);
}

uint32_t redirect_rule_info_index(const struct redirect_rule_info *info)
{
	return info->index;
}

uint64_t redirect_rule_info_hits(const struct redirect_rule_info *info)
{
	return info->hits;
}

uint64_t redirect_rule_info_generation(const struct redirect_rule_info *info)
{
	return info->generation;
}

size_t redirect_rule_info_rule(const struct redirect_rule_info *info, struct redirect_rule *rule,
			       size_t size)
{
	size_t have = sizeof(info->rule);

	memcpy(rule, &info->rule, size < have ? size : have);
	if (size > have)
		memset((char *)rule + have, 0, size - have);
	return have;
}
