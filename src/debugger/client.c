/*
 * This file implements sentrydbg's connection to a sentry (client.h):
 * finding the instance, the hello exchange, request/reply matching, and
 * handing unsolicited events to the front end.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugger/client.h"
#include "debugger/instances.h"
#include "debugger/proto.h"

/* How long to wait for the hello reply: a sentry that accepts but does
 * not answer is as good as gone. */
#define HELLO_TIMEOUT_MS 5000

static void error_message(json_t *rep, char *err, size_t errlen)
{
	json_t *e = json_object_get(rep, "error");
	const char *m = json_string_value(json_object_get(e, "message"));

	snprintf(err, errlen, "%s", m ? m : "the sentry reported an error");
}

/* Reads frames until the reply to id arrives. Returns 0 with *rep, or
 * -errno. Events go to the event handler. */
static int await_reply(struct dbg_conn *c, long long id, int timeout_ms,
		       json_t **rep, char *err, size_t errlen)
{
	for (;;) {
		json_t *m;
		json_t *mid;
		int rc = ctl_recv(c->fd, CTL_MAX_REPLY, timeout_ms, &m);

		if (rc == -EINTR)
			continue; /* a reply is owed; Ctrl-C does not cancel it */
		if (rc < 0) {
			if (rc == -ECONNRESET)
				snprintf(err, errlen,
					 "connection to sentry '%s' lost", c->name);
			else if (rc == -ETIMEDOUT)
				snprintf(err, errlen,
					 "sentry '%s' does not answer", c->name);
			else
				snprintf(err, errlen,
					 "reading from sentry '%s': %s", c->name,
					 rc == -EPROTO ? "malformed message"
						       : strerror(-rc));
			return rc;
		}
		if (json_object_get(m, "event")) {
			if (c->on_event)
				c->on_event(m, c->event_arg);
			json_decref(m);
			continue;
		}
		mid = json_object_get(m, "id");
		/* A reply without an id is the server refusing the whole
		 * connection (or the request's framing). */
		if (json_is_null(mid) || (json_is_integer(mid) &&
					  json_integer_value(mid) == id)) {
			*rep = m;
			return 0;
		}
		json_decref(m); /* a late reply to something we gave up on */
	}
}

int dbg_call(struct dbg_conn *c, const char *cmd, json_t *args,
	     json_t **result, char *err, size_t errlen)
{
	return dbg_call_fd(c, cmd, args, -1, result, err, errlen);
}

int dbg_call_fd(struct dbg_conn *c, const char *cmd, json_t *args,
		int pass_fd, json_t **result, char *err, size_t errlen)
{
	long long id = ++c->next_id;
	json_t *req = ctl_request_new(id, cmd, args), *rep = NULL;
	int rc;

	*result = NULL;
	if (!req) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = ctl_send_fd(c->fd, req, pass_fd);
	json_decref(req);
	if (rc < 0) {
		snprintf(err, errlen, "connection to sentry '%s' lost: %s",
			 c->name, strerror(-rc));
		return rc;
	}
	rc = await_reply(c, id, -1, &rep, err, errlen);
	if (rc < 0)
		return rc;
	if (!json_is_true(json_object_get(rep, "ok"))) {
		error_message(rep, err, errlen);
		rc = json_is_null(json_object_get(rep, "id")) ? -ECONNREFUSED : 1;
		json_decref(rep);
		return rc;
	}
	*result = json_incref(json_object_get(rep, "result"));
	json_decref(rep);
	if (!*result)
		*result = json_object();
	return 0;
}

int dbg_wait_event(struct dbg_conn *c, int timeout_ms)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	json_t *m;
	int rc = poll(&pfd, 1, timeout_ms);

	if (rc < 0)
		return -errno;
	if (rc == 0)
		return 0;
	rc = ctl_recv(c->fd, CTL_MAX_REPLY, 5000, &m);
	if (rc < 0)
		return rc == -EINTR ? -EINTR : rc;
	if (json_object_get(m, "event") && c->on_event)
		c->on_event(m, c->event_arg);
	json_decref(m);
	return 1;
}

int dbg_connect(struct dbg_conn *c, const char *target, char *err,
		size_t errlen)
{
	struct ctl_instance in;
	json_t *req, *rep = NULL, *res;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	rc = ctl_instance_resolve(target, &in, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(c->name, sizeof(c->name), "%s", in.name);
	snprintf(c->sock, sizeof(c->sock), "%s", in.sock);
	c->pid = in.pid;
	rc = ctl_connect(in.sock, err, errlen);
	if (rc < 0) {
		if (rc == -EACCES)
			snprintf(err, errlen,
				 "permission denied on %s: the sentry belongs to another user",
				 in.sock);
		return rc;
	}
	c->fd = rc;
	req = ctl_request_new(++c->next_id, "hello",
			      json_pack("{s:s, s:s}", "client", "sentrydbg",
					"version", SENTRY_VERSION));
	rc = req ? ctl_send(c->fd, req) : -ENOMEM;
	json_decref(req);
	if (rc == 0)
		rc = await_reply(c, c->next_id, HELLO_TIMEOUT_MS, &rep, err,
				 errlen);
	else
		snprintf(err, errlen, "cannot talk to %s: %s", in.sock,
			 strerror(-rc));
	if (rc == 0 && !json_is_true(json_object_get(rep, "ok"))) {
		error_message(rep, err, errlen);
		rc = -ECONNREFUSED;
	}
	if (rc < 0) {
		json_decref(rep);
		dbg_disconnect(c);
		return rc;
	}
	res = json_object_get(rep, "result");
	if (json_is_string(json_object_get(res, "name")))
		snprintf(c->name, sizeof(c->name), "%s",
			 json_string_value(json_object_get(res, "name")));
	if (json_is_integer(json_object_get(res, "pid")))
		c->pid = (pid_t)json_integer_value(json_object_get(res, "pid"));
	json_decref(rep);
	return 0;
}

void dbg_disconnect(struct dbg_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}
