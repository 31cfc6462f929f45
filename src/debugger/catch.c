/*
 * This file implements catchpoints and the watch stream: the kernel's
 * event hook (struct kernel's event_fn), which runs on the platform thread
 * for every clone, exec, exit, signal delivery and trapped syscall.
 *
 * The hook must be cheap and must never block on a client: it tests the
 * interest mask, and only when someone cares takes srv->mu (a leaf lock),
 * matches catchpoints, appends events to the clients' bounded queues and
 * rings their eventfds. A catchpoint hit returns true, and the kernel
 * pauses itself (one kernel_pause() per hit, undone by `resume`); every
 * attached client is told which task hit what.
 *
 * Catchpoints belong to the client that set them and disappear when it
 * disconnects, so a script cannot leave one behind that pauses the
 * sandbox later with nobody attached. `info catch` shows everyone's.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "debugger/proto.h"
#include "debugger/server_internal.h"
#include "kernel/ptrace.h"
#include "kernel/rcu.h"
#include "kernel/syscalls/syscalls.h"

const char *ctl_event_name(enum kernel_event ev)
{
	switch (ev) {
	case KERNEL_EVENT_CLONE: return "clone";
	case KERNEL_EVENT_EXEC: return "exec";
	case KERNEL_EVENT_EXIT: return "exit";
	case KERNEL_EVENT_SIGNAL: return "signal";
	case KERNEL_EVENT_SYSCALL: return "syscall";
	case KERNEL_EVENT_PTRACE: return "ptrace";
	}
	return "?";
}

static int event_parse(const char *s)
{
	for (int ev = KERNEL_EVENT_CLONE; ev <= KERNEL_EVENT_LAST; ev++)
		if (strcmp(s, ctl_event_name(ev)) == 0)
			return ev;
	return -EINVAL;
}

/* Recomputes srv->interest. Preconditions: srv->mu held. */
static void interest_update_locked(struct ctl_server *srv)
{
	struct ctl_client *c;
	struct ctl_catch *cp;
	unsigned m = 0;

	cds_list_for_each_entry(c, &srv->clients, node)
		m |= c->watch_mask;
	cds_list_for_each_entry(cp, &srv->catches, node)
		m |= CTL_EV_BIT(cp->ev);
	__atomic_store_n(&srv->interest, m, __ATOMIC_RELEASE);
}

/* Appends ev to c's queue, dropping the oldest when full. Preconditions:
 * srv->mu held. */
static void enqueue_locked(struct ctl_client *c, const struct ctl_event *ev)
{
	if (c->q_len == CTL_EVQ_CAP) {
		c->q_head = (c->q_head + 1) % CTL_EVQ_CAP;
		c->q_len--;
		c->dropped++;
	}
	c->q[(c->q_head + c->q_len) % CTL_EVQ_CAP] = *ev;
	c->q_len++;
}

static void wake(struct ctl_client *c)
{
	uint64_t one = 1;

	/* Non-blocking; a full counter means it is already awake. */
	if (write(c->evfd, &one, sizeof(one)) < 0) {
	}
}

static bool catch_matches(const struct ctl_catch *cp, enum kernel_event ev,
			  long detail)
{
	if (cp->ev != ev)
		return false;
	if (cp->arg < 0)
		return true;
	return (ev == KERNEL_EVENT_SIGNAL || ev == KERNEL_EVENT_SYSCALL ||
		ev == KERNEL_EVENT_PTRACE) &&
	       cp->arg == detail;
}

static bool ctl_event_hook(void *arg, enum kernel_event ev, pid_t tid,
			   long detail)
{
	struct ctl_server *srv = arg;
	struct ctl_client *c;
	struct ctl_catch *cp;
	int hits[8], nr_hits = 0;
	struct ctl_event e = { .ev = ev, .tid = tid, .detail = detail };

	/* NULL when ctl_hook_remove raced with the kernel's load of the
	 * hook. */
	if (!srv)
		return false;
	if (!(__atomic_load_n(&srv->interest, __ATOMIC_ACQUIRE) &
	      CTL_EV_BIT(ev)))
		return false;
	__atomic_add_fetch(&srv->hook_inflight, 1, __ATOMIC_ACQ_REL);
	e.ns = kernel_uptime_ns(srv->k);

	pthread_mutex_lock(&srv->mu);
	cds_list_for_each_entry(cp, &srv->catches, node) {
		if (!catch_matches(cp, ev, detail))
			continue;
		cp->hits++;
		if (nr_hits < (int)(sizeof(hits) / sizeof(hits[0])))
			hits[nr_hits++] = cp->id;
	}
	cds_list_for_each_entry(c, &srv->clients, node) {
		bool any = false;

		if (c->watch_mask & CTL_EV_BIT(ev)) {
			e.is_catch = false;
			enqueue_locked(c, &e);
			any = true;
		}
		for (int i = 0; i < nr_hits; i++) {
			e.is_catch = true;
			e.catch_id = hits[i];
			enqueue_locked(c, &e);
			any = true;
		}
		if (any)
			wake(c);
	}
	pthread_mutex_unlock(&srv->mu);
	__atomic_sub_fetch(&srv->hook_inflight, 1, __ATOMIC_ACQ_REL);
	return nr_hits > 0;
}

int ctl_hook_install(struct ctl_server *srv)
{
	struct kernel *k = srv->k;
	int err = 0;

	pthread_mutex_lock(&k->ext_mu);
	if (k->event_fn) {
		err = -EBUSY; /* another hook, or another server on k */
	} else {
		/* The argument is published before the function that uses it;
		 * kernel_event() reads both under rcu_read_lock(). */
		rcu_assign_pointer(k->event_arg, srv);
		rcu_assign_pointer(k->event_fn, ctl_event_hook);
	}
	pthread_mutex_unlock(&k->ext_mu);
	return err;
}

void ctl_hook_remove(struct ctl_server *srv)
{
	struct kernel *k = srv->k;
	struct timespec us = { 0, 50 * 1000 };

	pthread_mutex_lock(&k->ext_mu);
	if (rcu_dereference(k->event_arg) == srv) {
		rcu_assign_pointer(k->event_fn, NULL);
		rcu_assign_pointer(k->event_arg, NULL);
	}
	pthread_mutex_unlock(&k->ext_mu);
	/* Wait for hook calls already past the kernel's load of event_fn:
	 * the kernel calls the hook inside rcu_read_lock() (kernel.h), so
	 * synchronize_rcu() returns only after every such call has. The
	 * in-flight count is a cheap second check, normally zero. */
	synchronize_rcu();
	while (__atomic_load_n(&srv->hook_inflight, __ATOMIC_ACQUIRE) > 0)
		nanosleep(&us, NULL);
}

void ctl_client_forget_locked(struct ctl_client *c)
{
	struct ctl_server *srv = c->srv;
	struct ctl_catch *cp, *tmp;

	cds_list_for_each_entry_safe(cp, tmp, &srv->catches, node) {
		if (cp->owner != c->id)
			continue;
		cds_list_del(&cp->node);
		free(cp);
	}
	c->watch_mask = 0;
	interest_update_locked(srv);
}

static json_t *event_json(struct ctl_server *srv, const struct ctl_event *e,
			  const char *desc)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:i, s:I}", "v",
			      CTL_PROTO_VERSION, "event",
			      e->is_catch ? "catch" : "watch", "kind",
			      ctl_event_name(e->ev), "tid", (int)e->tid,
			      "time_ns", (json_int_t)e->ns);
	char buf[16];

	if (!o)
		return NULL;
	switch (e->ev) {
	case KERNEL_EVENT_CLONE:
		json_object_set_new(o, "parent", json_integer(e->detail));
		break;
	case KERNEL_EVENT_EXEC:
		break;
	case KERNEL_EVENT_EXIT:
		json_object_set_new(o, "status", json_integer(e->detail));
		break;
	case KERNEL_EVENT_SIGNAL:
		json_object_set_new(o, "signo", json_integer(e->detail));
		json_object_set_new(o, "signal",
				    sig_name((int)e->detail, buf, sizeof(buf))
					    ? json_string(buf)
					    : json_null());
		break;
	case KERNEL_EVENT_SYSCALL: {
		const char *n = kernel_syscall_name(e->detail);

		json_object_set_new(o, "nr", json_integer(e->detail));
		json_object_set_new(o, "syscall",
				    n ? json_string(n) : json_null());
		break;
	}
	case KERNEL_EVENT_PTRACE: {
		const char *n = ptrace_request_name(e->detail);

		json_object_set_new(o, "request", json_integer(e->detail));
		json_object_set_new(o, "request_name",
				    n ? json_string(n) : json_null());
		break;
	}
	}
	if (e->is_catch) {
		json_object_set_new(o, "catchpoint", json_integer(e->catch_id));
		json_object_set_new(o, "description",
				    desc ? json_string(desc) : json_null());
		json_object_set_new(o, "paused", json_true());
	}
	(void)srv;
	return o;
}

void ctl_client_drain_events(struct ctl_client *c, json_t *out)
{
	struct ctl_server *srv = c->srv;
	struct ctl_event *v;
	char (*descs)[64];
	unsigned n;
	unsigned long dropped;

	pthread_mutex_lock(&srv->mu);
	n = c->q_len;
	dropped = c->dropped;
	v = n ? malloc(sizeof(*v) * n) : NULL;
	descs = n ? calloc(n, sizeof(*descs)) : NULL;
	if (n && (!v || !descs)) {
		pthread_mutex_unlock(&srv->mu);
		free(v);
		free(descs);
		return; /* try again on the next wakeup */
	}
	for (unsigned i = 0; i < n; i++) {
		v[i] = c->q[(c->q_head + i) % CTL_EVQ_CAP];
		if (v[i].is_catch) {
			struct ctl_catch *cp;

			cds_list_for_each_entry(cp, &srv->catches, node)
				if (cp->id == v[i].catch_id)
					memcpy(descs[i], cp->desc, sizeof(descs[i]));
		}
	}
	c->q_head = c->q_len = 0;
	c->dropped = 0;
	pthread_mutex_unlock(&srv->mu);

	if (dropped)
		json_array_append_new(out, json_pack("{s:i, s:s, s:I}", "v",
						     CTL_PROTO_VERSION, "event",
						     "dropped", "count",
						     (json_int_t)dropped));
	for (unsigned i = 0; i < n; i++)
		json_array_append_new(out, event_json(srv, &v[i],
						      descs[i][0] ? descs[i] : NULL));
	free(v);
	free(descs);
}

/* Looks a syscall up by name or number among those the kernel knows
 * (the trapped ones). Returns the number or -EINVAL. */
static long syscall_lookup(json_t *j)
{
	if (json_is_integer(j)) {
		json_int_t nr = json_integer_value(j);

		return (nr >= 0 && nr < KERNEL_NR_SYSCALLS &&
			kernel_syscall_name((long)nr))
			       ? (long)nr
			       : -EINVAL;
	}
	if (!json_is_string(j))
		return -EINVAL;
	for (long nr = 0; nr < KERNEL_NR_SYSCALLS; nr++) {
		const char *n = kernel_syscall_name(nr);

		if (n && strcmp(n, json_string_value(j)) == 0)
			return nr;
	}
	return -EINVAL;
}

static void trapped_list(char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (long nr = 0; nr < KERNEL_NR_SYSCALLS && off < len; nr++) {
		const char *n = kernel_syscall_name(nr);

		if (n)
			off += (size_t)snprintf(buf + off, len - off, "%s%s",
						off ? " " : "", n);
	}
}

int ctl_cmd_catch(struct ctl_client *c, json_t *args, json_t **result,
		  char *err, size_t errlen)
{
	struct ctl_server *srv = c->srv;
	const char *what = json_string_value(json_object_get(args, "what"));
	struct ctl_catch *cp;
	long arg = -1;
	int ev;
	char desc[64], buf[16];

	if (!what || (ev = event_parse(what)) < 0) {
		snprintf(err, errlen,
			 "catch what? use: catch signal [SIG] | exit | exec | clone | syscall [NAME] | ptrace [REQUEST]");
		return -EINVAL;
	}
	snprintf(desc, sizeof(desc), "%s", what);
	if (ev == KERNEL_EVENT_SIGNAL && json_object_get(args, "signal")) {
		json_t *s = json_object_get(args, "signal");

		arg = json_is_integer(s) ? (long)json_integer_value(s)
		      : json_is_string(s) ? sig_parse(json_string_value(s))
					  : -EINVAL;
		if (arg < 0 || !sig_valid((int)arg)) {
			snprintf(err, errlen, "bad signal '%s'",
				 json_is_string(s) ? json_string_value(s) : "?");
			return -EINVAL;
		}
		snprintf(desc, sizeof(desc), "signal SIG%s",
			 sig_name((int)arg, buf, sizeof(buf)));
	}
	if (ev == KERNEL_EVENT_SYSCALL && json_object_get(args, "syscall")) {
		json_t *s = json_object_get(args, "syscall");
		char list[2048];

		arg = syscall_lookup(s);
		if (arg < 0) {
			trapped_list(list, sizeof(list));
			snprintf(err, errlen,
				 "unknown or untrapped syscall '%s'; the sentry traps: %s",
				 json_is_string(s) ? json_string_value(s) : "?",
				 list);
			return -EINVAL;
		}
		snprintf(desc, sizeof(desc), "syscall %s",
			 kernel_syscall_name(arg));
	}
	if (ev == KERNEL_EVENT_PTRACE && json_object_get(args, "request")) {
		json_t *r = json_object_get(args, "request");

		arg = json_is_integer(r) ? (long)json_integer_value(r)
		      : json_is_string(r) ? ptrace_request_parse(json_string_value(r))
					  : -EINVAL;
		if (arg < 0 || !ptrace_request_name(arg)) {
			snprintf(err, errlen,
				 "unknown ptrace request '%s' (ATTACH, SEIZE, TRACEME, CONT, SYSCALL, GETREGS... as in ptrace(2), with or without PTRACE_)",
				 json_is_string(r) ? json_string_value(r) : "?");
			return -EINVAL;
		}
		snprintf(desc, sizeof(desc), "ptrace PTRACE_%s",
			 ptrace_request_name(arg));
	}
	cp = calloc(1, sizeof(*cp));
	if (!cp)
		return -ENOMEM;
	cp->ev = (enum kernel_event)ev;
	cp->arg = arg;
	cp->owner = c->id;
	snprintf(cp->desc, sizeof(cp->desc), "%s", desc);
	pthread_mutex_lock(&srv->mu);
	cp->id = ++srv->next_catch_id;
	cds_list_add_tail(&cp->node, &srv->catches);
	interest_update_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	*result = json_pack("{s:i, s:s, s:s}", "id", cp->id, "event",
			    ctl_event_name(cp->ev), "description", desc);
	return *result ? 0 : -ENOMEM;
}

int ctl_cmd_info_catch(struct ctl_client *c, json_t *args, json_t **result,
		       char *err, size_t errlen)
{
	struct ctl_server *srv = c->srv;
	struct ctl_catch *cp;
	json_t *a = json_array();

	if (!a)
		return -ENOMEM;
	pthread_mutex_lock(&srv->mu);
	cds_list_for_each_entry(cp, &srv->catches, node)
		json_array_append_new(
			a, json_pack("{s:i, s:s, s:o, s:s, s:I, s:i, s:b}", "id",
				     cp->id, "event", ctl_event_name(cp->ev),
				     "arg",
				     cp->arg >= 0 ? json_integer(cp->arg)
						  : json_null(),
				     "description", cp->desc, "hits",
				     (json_int_t)cp->hits, "owner",
				     (int)cp->owner, "mine",
				     cp->owner == c->id));
	pthread_mutex_unlock(&srv->mu);
	*result = json_pack("{s:o}", "catchpoints", a);
	return *result ? 0 : -ENOMEM;
}

int ctl_cmd_delete(struct ctl_client *c, json_t *args, json_t **result,
		   char *err, size_t errlen)
{
	struct ctl_server *srv = c->srv;
	struct ctl_catch *cp, *tmp;
	json_t *id = json_object_get(args, "id");
	bool all = json_is_true(json_object_get(args, "all"));
	int n = 0;

	if (!all && !json_is_integer(id)) {
		snprintf(err, errlen, "delete needs a catchpoint number");
		return -EINVAL;
	}
	pthread_mutex_lock(&srv->mu);
	cds_list_for_each_entry_safe(cp, tmp, &srv->catches, node) {
		if (!all && cp->id != json_integer_value(id))
			continue;
		cds_list_del(&cp->node);
		free(cp);
		n++;
	}
	interest_update_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	if (!all && n == 0) {
		snprintf(err, errlen, "no catchpoint %lld",
			 (long long)json_integer_value(id));
		return -ENOENT;
	}
	*result = json_pack("{s:i}", "deleted", n);
	return *result ? 0 : -ENOMEM;
}

int ctl_cmd_watch(struct ctl_client *c, json_t *args, json_t **result,
		  char *err, size_t errlen)
{
	struct ctl_server *srv = c->srv;
	json_t *evs = json_object_get(args, "events"), *e, *names;
	unsigned mask = 0;
	size_t i;

	if (evs && !json_is_array(evs)) {
		snprintf(err, errlen, "\"events\" must be an array of names");
		return -EINVAL;
	}
	json_array_foreach(evs, i, e) {
		const char *s = json_string_value(e);
		int ev;

		if (s && strcmp(s, "all") == 0) {
			mask |= CTL_EV_ALL;
			continue;
		}
		ev = s ? event_parse(s) : -EINVAL;
		if (ev < 0) {
			snprintf(err, errlen,
				 "unknown event '%s' (clone exec exit signal syscall ptrace all)",
				 s ? s : "?");
			return -EINVAL;
		}
		mask |= CTL_EV_BIT(ev);
	}
	if (!mask) /* Every trapped syscall is a firehose: opt-in only. */
		mask = CTL_EV_ALL & ~CTL_EV_BIT(KERNEL_EVENT_SYSCALL);
	pthread_mutex_lock(&srv->mu);
	c->watch_mask = mask;
	interest_update_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	names = json_array();
	for (int ev = KERNEL_EVENT_CLONE; ev <= KERNEL_EVENT_LAST; ev++)
		if (mask & CTL_EV_BIT(ev))
			json_array_append_new(names,
					      json_string(ctl_event_name(ev)));
	*result = json_pack("{s:o}", "events", names);
	return *result ? 0 : -ENOMEM;
}

int ctl_cmd_unwatch(struct ctl_client *c, json_t *args, json_t **result,
		    char *err, size_t errlen)
{
	struct ctl_server *srv = c->srv;

	pthread_mutex_lock(&srv->mu);
	c->watch_mask = 0;
	interest_update_locked(srv);
	pthread_mutex_unlock(&srv->mu);
	*result = json_object();
	return 0;
}
