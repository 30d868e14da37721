// SPDX-License-Identifier: GPL-2.0
/* redirectctl status: the module, its API and features, and whether usersentry runs. */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "redirectctl.h"

static const char *const feature_names[] = { "attach", "fastpath", "broker", "custody", "netlink",
					       "exec-guard" };

static int handshake(struct redirect_handshake *hs, struct redirect_error **err)
{
	int fd = open(REDIRECT_DEVICE, O_RDWR | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return redirect_error_set(err, errno, "%s: %s", REDIRECT_DEVICE, strerror(errno));
	/* wanting no feature: the answer still lists every supported one */
	memset(hs, 0, sizeof(*hs));
	hs->api_version = REDIRECT_API_VERSION;
	if (ioctl(fd, REDIRECT_IOC_HANDSHAKE, hs) < 0) {
		int e = errno;

		if (e == EPROTONOSUPPORT)
			ret = redirect_error_set(err, e, "%s speaks API version %u, this tool %u",
						 REDIRECT_DEVICE, hs->api_version,
						 REDIRECT_API_VERSION);
		else
			ret = redirect_error_set(err, e, "%s: handshake: %s", REDIRECT_DEVICE,
						 strerror(e));
	}
	close(fd);
	return ret;
}

int cmd_status(const struct command *cmd, int argc, char **argv)
{
	struct redirect_sandbox_list *sbs = NULL;
	struct redirect_error *e = NULL, *de = NULL, *me = NULL, *he = NULL, *ne = NULL;
	struct redirect_handshake hs = { 0 };
	struct redirect_ctl *ctl = NULL;
	struct json_object *j = NULL, *feats, *da = NULL;
	enum redirect_mode machine_mode = REDIRECT_MODE_PORTABLE;
	char version[64] = "", mmode[32] = "", feat_text[128] = "";
	const char *mode;
	bool loaded, hs_ok = false, nl_ok = false, daemon_ok, metrics_ok = false;
	size_t n_sb = 0, owned = 0, i;
	long m_sandboxes = -1;
	struct opts o;
	FILE *f;
	int ret, rc;

	rc = parse_opts(cmd, "jsCm", argc, argv, 0, 0, &o);
	if (rc >= 0)
		return rc;
	loaded = access("/sys/module/redirect", F_OK) == 0;
	f = fopen("/sys/module/redirect/version", "re");
	if (f) {
		if (fgets(version, sizeof(version), f))
			version[strcspn(version, "\n")] = '\0';
		fclose(f);
	}
	ret = redirect_mode_detect(&machine_mode, &e);
	if (ret < 0) {
		msg("%s", e->msg);
		redirect_error_free(e);
		e = NULL;
	}
	if (machine_mode == REDIRECT_MODE_MODULE)
		hs_ok = handshake(&hs, &he) == 0;
	/* only ask netlink when the module is there: a request would load it */
	if (loaded && redirect_ctl_open(&ctl, &ne) == 0) {
		nl_ok = redirect_ctl_sandboxes(ctl, &sbs, &ne) == 0;
		redirect_ctl_close(ctl);
		n_sb = redirect_sandbox_list_count(sbs);
		for (i = 0; i < n_sb; i++)
			owned += redirect_sandbox_info_owned(redirect_sandbox_list_get(sbs, i));
		redirect_sandbox_list_free(sbs);
	}
	ret = ask_daemon(&o, REDIRECT_CONTROL_STATUS, &da, &de);
	daemon_ok = ret == 0;
	/* the metrics socket: asked whether it answers; the daemon's state is the control's */
	if (o.metrics)
		metrics_ok = read_metrics(o.metrics, mmode, sizeof(mmode), &m_sandboxes, &me) == 0;
	/* the daemon's mode is what it runs in; without one, what this machine offers */
	if (daemon_ok && answer_str(da, "mode"))
		mode = answer_str(da, "mode");
	else
		mode = machine_mode == REDIRECT_MODE_MODULE ? "module" : "portable";
	for (i = 0; hs_ok && i < ARRAY_SIZE(feature_names); i++)
		if (hs.supported & (1ULL << i))
			snprintf(feat_text + strlen(feat_text),
				 sizeof(feat_text) - strlen(feat_text), "%s%s",
				 feat_text[0] ? " " : "", feature_names[i]);

	if (o.json) {
		j = json_object_new_object();
		json_object_object_add(j, "module_loaded", json_object_new_boolean(loaded));
		json_object_object_add(j, "module_version",
				       version[0] ? json_object_new_string(version) : NULL);
		json_object_object_add(j, "device",
				       json_object_new_boolean(machine_mode ==
							       REDIRECT_MODE_MODULE));
		json_object_object_add(j, "api_version",
				       hs_ok ? json_object_new_int((int)hs.api_version) : NULL);
		json_object_object_add(j, "tool_api_version",
				       json_object_new_int(REDIRECT_API_VERSION));
		feats = json_object_new_array();
		for (i = 0; hs_ok && i < ARRAY_SIZE(feature_names); i++)
			if (hs.supported & (1ULL << i))
				json_object_array_add(feats,
						      json_object_new_string(feature_names[i]));
		json_object_object_add(j, "features", feats);
		json_object_object_add(j, "mode", json_object_new_string(mode));
		json_object_object_add(j, "sandboxes",
				       nl_ok ? json_object_new_int64((int64_t)n_sb) :
				       daemon_ok ?
					       json_object_new_int64(answer_int(da, "sandboxes")) :
					       NULL);
		json_object_object_add(j, "sandboxes_in_custody",
				       nl_ok ? json_object_new_int64((int64_t)(n_sb - owned)) :
					       NULL);
		json_object_object_add(j, "daemon_running", json_object_new_boolean(daemon_ok));
		json_object_object_add(j, "daemon_pid",
				       daemon_ok ? json_object_new_int64(answer_int(da, "pid")) :
						   NULL);
		json_object_object_add(j, "socket", json_object_new_string(o.socket));
		/* the daemon's own status, as its control socket gave it */
		json_object_object_add(j, "daemon", daemon_ok ? json_object_get(da) : NULL);
		json_object_object_add(j, "metrics_answering",
				       o.metrics ? json_object_new_boolean(metrics_ok) : NULL);
		print_json(j);
	} else {
		printf("module:     %s", loaded ? "loaded" : "not loaded");
		if (version[0])
			printf(" (redirect %s)", version);
		if (machine_mode == REDIRECT_MODE_MODULE)
			printf(", %s present", REDIRECT_DEVICE);
		printf("\n");
		if (hs_ok) {
			printf("api:        version %u (this tool: %u)\n", hs.api_version,
			       REDIRECT_API_VERSION);
			printf("features:   %s\n", feat_text);
		} else if (he) {
			printf("api:        unknown: %s\n", he->msg);
		}
		printf("mode:       %s\n", mode);
		if (nl_ok)
			printf("sandboxes:  %zu (%zu owned by a daemon, %zu in custody)\n", n_sb,
			       owned, n_sb - owned);
		else if (daemon_ok)
			printf("sandboxes:  %lld (the daemon's count)\n",
			       (long long)answer_int(da, "sandboxes"));
		else if (ne)
			printf("sandboxes:  unknown: %s\n", ne->msg);
		else
			printf("sandboxes:  unknown (portable mode: the daemon counts them)\n");
		if (daemon_ok) {
			printf("daemon:     usersentry running, pid %lld, socket %s\n",
			       (long long)answer_int(da, "pid"), o.socket);
			printf("reloads:    %lld", (long long)answer_int(da, "reloads"));
			if (answer_int(da, "sandboxes_keeping_handlers") > 0)
				printf("; %lld sandboxes keep their old policy's handlers for calls "
				       "their filter notifies (redirectctl daemon)",
				       (long long)answer_int(da, "sandboxes_keeping_handlers"));
			printf("\n");
		} else {
			printf("daemon:     not running: %s\n", de->msg);
		}
		if (o.metrics)
			printf("metrics:    %s%s\n", metrics_ok ? "answering on " : "",
			       metrics_ok ? o.metrics : me->msg);
	}
	rc = EXIT_OK;
	if (!daemon_ok)
		rc = daemon_absent(ret) ? EXIT_UNAVAILABLE : EXIT_FAILED;
	else if (machine_mode == REDIRECT_MODE_MODULE && !hs_ok)
		rc = EXIT_FAILED; /* a module this tool cannot talk to */
	else if (o.metrics && !metrics_ok)
		rc = EXIT_FAILED;
	json_object_put(da);
	redirect_error_free(de);
	redirect_error_free(me);
	redirect_error_free(he);
	redirect_error_free(ne);
	return rc;
}
