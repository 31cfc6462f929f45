/*
 * This file implements the control server's sockets and threads (see
 * server.h and server_internal.h):
 *
 *   1. ctl_server_start creates RUNDIR/NAME (0700) after clearing a stale
 *      one, binds RUNDIR/NAME/ctl (0600), writes the info file, installs
 *      the kernel event hook and starts the accept thread.
 *   2. The accept thread checks each peer's credentials (SO_PEERCRED: the
 *      sentry's own uid or root) and starts a thread for it.
 *   3. A client thread reads frames, runs one command per request and
 *      writes the reply; between requests it forwards queued events.
 *      Broken input is answered with an error; input that breaks the
 *      framing (oversized or empty frames) also closes the connection.
 *      A request may come with one descriptor (SCM_RIGHTS, sent with the
 *      frame's first byte), e.g. the file `dump` writes into; see
 *      struct fd_track.
 *   4. ctl_server_stop removes the hook, wakes and waits for every thread,
 *      and removes the socket, the info file and the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "debugger/proto.h"
#include "debugger/server.h"
#include "debugger/server_internal.h"
#include "kernel/rcu.h"
#include "kernel/timing.h"

static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void client_send(struct ctl_client *c, json_t *msg)
{
	if (msg)
		ctl_send(c->fd, msg); /* a gone peer shows up as EOF on read */
	json_decref(msg);
}

/*
 * A catchpoint's hook returns before the kernel pauses itself (the
 * platform thread calls kernel_pause() right after). Announce the hit only
 * once the pause is counted, so a client that answers "resume" at once
 * finds something to resume. Bounded: a pause that never comes (the
 * kernel is going away) does not hold the announcement forever.
 */
static void wait_for_pause(struct kernel *k)
{
	struct timespec ms = { 0, 1000 * 1000 };

	for (int i = 0; i < 2000 && !kernel_paused(k); i++)
		nanosleep(&ms, NULL);
}

static void client_send_events(struct ctl_client *c)
{
	json_t *evs = json_array(), *e;
	size_t i;
	uint64_t cnt;

	if (read(c->evfd, &cnt, sizeof(cnt)) < 0) {
		/* EAGAIN: nothing new; drain anyway, it is cheap. */
	}
	if (!evs)
		return;
	ctl_client_drain_events(c, evs);
	json_array_foreach(evs, i, e) {
		const char *type = json_string_value(json_object_get(e, "event"));

		if (type && strcmp(type, "catch") == 0)
			wait_for_pause(c->srv->k);
		ctl_send(c->fd, e);
	}
	json_decref(evs);
}

/* Runs one request body and sends its reply. */
static void client_handle(struct ctl_client *c, const char *body, size_t len)
{
	struct ctl_request req;
	char err[512] = "";
	const struct ctl_cmd *cmd;
	json_t *result = NULL;
	int rc = ctl_request_parse(body, len, &req, err, sizeof(err));

	if (rc < 0) {
		client_send(c, ctl_reply_error(req.has_id, req.id, rc, "%s", err));
		ctl_request_free(&req);
		return;
	}
	cmd = ctl_cmd_find(req.cmd);
	if (!cmd) {
		client_send(c, ctl_reply_error(true, req.id, EINVAL,
					       "unknown command '%.64s'", req.cmd));
		ctl_request_free(&req);
		return;
	}
	rc = cmd->fn(c, req.args, &result, err, sizeof(err));
	if (rc < 0) {
		json_decref(result);
		if (!err[0])
			snprintf(err, sizeof(err), "%s: %s", cmd->name,
				 strerror(-rc));
		client_send(c, ctl_reply_error(true, req.id, rc, "%s", err));
	} else {
		client_send(c, ctl_reply_ok(true, req.id, result));
	}
	ctl_request_free(&req);
}

/*
 * Which request a passed descriptor belongs to. The kernel ends a read
 * right after the message that carried descriptors, and a client sends
 * a request with its descriptor in one message starting at a frame
 * boundary: so the descriptor belongs to the last frame that starts in
 * the chunk it arrived with. That frame either completes at the very end
 * of the chunk or later, in which case the descriptor waits in carry_fd.
 * Descriptors nobody can own are closed at once.
 */
struct fd_track {
	unsigned long chunk;       /* chunks read so far */
	unsigned long frame;       /* frames started so far */
	unsigned long frame_chunk; /* chunk the current frame started in */
	int chunk_fd;              /* arrived with the current chunk */
	int carry_fd;              /* for frame carry_frame, not complete yet */
	unsigned long carry_frame;
};

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Reads a chunk and the descriptors that came with it (the first kept,
 * others closed). */
static ssize_t recv_chunk(int fd, char *buf, size_t len, int *passed)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int) * 8)];
	} u;
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.b, .msg_controllen = sizeof(u.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);

	*passed = -1;
	if (n < 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		size_t nfd;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < nfd; i++) {
			int f;

			memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (*passed < 0)
				*passed = f;
			else
				close(f);
		}
	}
	return n;
}

static void *client_thread(void *arg)
{
	struct ctl_client *c = arg;
	struct ctl_server *srv = c->srv;
	struct ctl_reader r;
	struct fd_track ft = { .chunk_fd = -1, .carry_fd = -1 };
	char buf[16384];

	/* A debugger must answer a sandbox that keeps every CPU busy: when
	 * permitted (root), a client's thread runs at nice -20 like the
	 * platform thread. It sleeps in poll() between requests. */
	setpriority(PRIO_PROCESS, (id_t)gettid(), -20);
	rcu_register_thread();
	ctl_reader_init(&r, CTL_MAX_REQUEST);
	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = c->fd, .events = POLLIN },
			{ .fd = c->evfd, .events = POLLIN },
		};
		ssize_t n;
		size_t off = 0;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents & POLLIN)
			client_send_events(c);
		if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = recv_chunk(c->fd, buf, sizeof(buf), &ft.chunk_fd);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close_fd(&ft.chunk_fd);
			break; /* peer gone, maybe mid-request: drop it */
		}
		ft.chunk++;
		while (off < (size_t)n) {
			size_t used;
			int rc;

			if (r.hdr_got == 0) { /* a frame starts here */
				ft.frame++;
				ft.frame_chunk = ft.chunk;
			}
			rc = ctl_reader_feed(&r, buf + off, (size_t)n - off,
					     &used);
			off += used;
			if (rc == 0)
				break;
			if (rc < 0) {
				if (rc == -EMSGSIZE)
					client_send(c, ctl_reply_error(
						false, 0, rc,
						"request of %u bytes exceeds the limit of %u bytes; closing",
						r.len, CTL_MAX_REQUEST));
				else
					client_send(c, ctl_reply_error(
						false, 0, rc,
						"malformed frame (%s); closing",
						rc == -EPROTO ? "empty frame"
							      : strerror(-rc)));
				goto out;
			}
			{
				size_t len;
				char *body = ctl_reader_take(&r, &len);

				if (ft.frame_chunk == ft.chunk &&
				    off == (size_t)n && ft.chunk_fd >= 0) {
					c->req_fd = ft.chunk_fd;
					ft.chunk_fd = -1;
				} else if (ft.carry_fd >= 0 &&
					   ft.carry_frame == ft.frame) {
					c->req_fd = ft.carry_fd;
					ft.carry_fd = -1;
				}
				client_handle(c, body, len);
				close_fd(&c->req_fd);
				free(body);
			}
		}
		/* A descriptor for a frame still arriving waits for it. */
		if (ft.chunk_fd >= 0 && r.hdr_got > 0 &&
		    ft.frame_chunk == ft.chunk) {
			close_fd(&ft.carry_fd);
			ft.carry_fd = ft.chunk_fd;
			ft.carry_frame = ft.frame;
			ft.chunk_fd = -1;
		}
		close_fd(&ft.chunk_fd);
	}
out:
	close_fd(&ft.chunk_fd);
	close_fd(&ft.carry_fd);
	close_fd(&c->req_fd);
	ctl_reader_reset(&r);
	pthread_mutex_lock(&srv->mu);
	cds_list_del(&c->node);
	ctl_client_forget_locked(c);
	srv->nr_clients--;
	pthread_cond_broadcast(&srv->cond);
	pthread_mutex_unlock(&srv->mu);
	close(c->fd);
	close(c->evfd);
	free(c);
	rcu_unregister_thread();
	return NULL;
}

/* Refuses a connection with an error frame the client can show. */
static void refuse(int fd, int err, const char *why)
{
	json_t *msg = ctl_reply_error(false, 0, err, "%s", why);

	if (msg)
		ctl_send(fd, msg);
	json_decref(msg);
	close(fd);
}

static void accept_one(struct ctl_server *srv, int fd)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct ctl_client *c;
	pthread_attr_t attr;
	pthread_t th;
	uid_t me = geteuid();
	char why[256];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		close(fd);
		return;
	}
	if (cred.uid != me && cred.uid != 0) {
		snprintf(why, sizeof(why),
			 "%s: permission denied: uid %u may not control this sentry (only uid %u or root)",
			 srv->inst.name, (unsigned)cred.uid, (unsigned)me);
		refuse(fd, EPERM, why);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->req_fd = -1;
	c->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->evfd < 0) {
		free(c);
		close(fd);
		return;
	}
	pthread_mutex_lock(&srv->mu);
	if (srv->stopping || srv->nr_clients >= CTL_MAX_CLIENTS) {
		bool stopping = srv->stopping;

		pthread_mutex_unlock(&srv->mu);
		close(c->evfd);
		free(c);
		if (stopping)
			snprintf(why, sizeof(why), "%s: the sentry is shutting down",
				 srv->inst.name);
		else
			snprintf(why, sizeof(why),
				 "%s: too many debugger clients (limit %d)",
				 srv->inst.name, CTL_MAX_CLIENTS);
		refuse(fd, stopping ? ECONNRESET : EUSERS, why);
		return;
	}
	c->id = ++srv->next_client_id;
	cds_list_add_tail(&c->node, &srv->clients);
	srv->nr_clients++;
	pthread_mutex_unlock(&srv->mu);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, client_thread, c) != 0) {
		pthread_mutex_lock(&srv->mu);
		cds_list_del(&c->node);
		srv->nr_clients--;
		pthread_cond_broadcast(&srv->cond);
		pthread_mutex_unlock(&srv->mu);
		close(c->evfd);
		free(c);
		close(fd);
	}
	pthread_attr_destroy(&attr);
}

static void *accept_thread(void *arg)
{
	struct ctl_server *srv = arg;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = srv->listen_fd, .events = POLLIN },
			{ .fd = srv->stop_pipe[0], .events = POLLIN },
		};
		int fd;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		if (!(pfd[0].revents & POLLIN))
			continue;
		fd = accept4(srv->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Out of descriptors: back off instead of
				 * spinning on a listener that stays ready. */
				struct timespec ts = { 0, 50 * 1000 * 1000 };

				nanosleep(&ts, NULL);
			}
			continue;
		}
		accept_one(srv, fd);
	}
	return NULL;
}

static void instance_cleanup(const struct ctl_instance *in)
{
	char path[PATH_MAX + 16];

	unlink(in->sock);
	snprintf(path, sizeof(path), "%s/info", in->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/info.tmp", in->dir);
	unlink(path);
	rmdir(in->dir);
}

/* Claims the instance directory: refuses a live sentry of the same name,
 * clears a stale one. */
static int instance_claim(struct ctl_instance *in, char *errbuf, size_t errlen)
{
	char base[PATH_MAX];
	struct ctl_instance old;
	struct stat st;
	int err;

	if (stat(in->dir, &st) == 0) {
		if (ctl_info_read(in->dir, &old) == 0 &&
		    ctl_instance_live(&old, false)) {
			snprintf(errbuf, errlen,
				 "a sentry named '%s' is already running (pid %d, %s)",
				 in->name, (int)old.pid, in->sock);
			return -EADDRINUSE;
		}
		/* Stale: the sentry that made it is gone. */
		instance_cleanup(in);
	}
	ctl_runtime_dir(base, sizeof(base));
	err = mkdir_p(base, 0755);
	if (err < 0) {
		snprintf(errbuf, errlen, "cannot create %s: %s", base,
			 strerror(-err));
		return err;
	}
	if (mkdir(in->dir, 0700) < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "cannot create %s: %s", in->dir,
			 strerror(errno));
		return err;
	}
	return 0;
}

static int listen_on(const char *path, char *errbuf, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto err_close;
	/* The directory is 0700 already, so nobody can reach the socket
	 * before it is 0600. */
	if (chmod(path, 0600) < 0 || listen(fd, 16) < 0)
		goto err_close;
	return fd;

err_close:
	err = errno;
	close(fd);
	errno = err;
err:
	snprintf(errbuf, errlen, "cannot listen on %s: %s", path,
		 strerror(errno));
	return -errno;
}

int ctl_server_start(struct kernel *k, const char *name, const char *info_cmd,
		     const char *mountpoint, struct ctl_server **out,
		     char *errbuf, size_t errlen)
{
	struct ctl_server *srv;
	int err;

	srv = calloc(1, sizeof(*srv));
	if (!srv) {
		snprintf(errbuf, errlen, "out of memory");
		return -ENOMEM;
	}
	srv->k = k;
	srv->listen_fd = srv->stop_pipe[0] = srv->stop_pipe[1] = -1;
	pthread_mutex_init(&srv->mu, NULL);
	pthread_cond_init(&srv->cond, NULL);
	CDS_INIT_LIST_HEAD(&srv->clients);
	CDS_INIT_LIST_HEAD(&srv->catches);

	err = ctl_instance_paths(name, &srv->inst);
	if (err == -EINVAL) {
		snprintf(errbuf, errlen,
			 "invalid sentry name '%s': use 1-63 of A-Z a-z 0-9 . _ -, not starting with . or -",
			 name ? name : "");
		goto err_free;
	}
	if (err < 0) {
		snprintf(errbuf, errlen, "control socket path for '%s' too long",
			 name);
		goto err_free;
	}
	srv->inst.pid = getpid();
	srv->inst.uid = geteuid();
	srv->inst.started_ns = clock_now_ns(CLOCK_REALTIME);
	snprintf(srv->inst.command, sizeof(srv->inst.command), "%s",
		 info_cmd ? info_cmd : "");
	snprintf(srv->inst.mountpoint, sizeof(srv->inst.mountpoint), "%s",
		 mountpoint ? mountpoint : "");

	err = instance_claim(&srv->inst, errbuf, errlen);
	if (err < 0)
		goto err_free;
	srv->listen_fd = listen_on(srv->inst.sock, errbuf, errlen);
	if (srv->listen_fd < 0) {
		err = srv->listen_fd;
		goto err_cleanup;
	}
	err = ctl_info_write(&srv->inst);
	if (err < 0) {
		snprintf(errbuf, errlen, "cannot write %s/info: %s",
			 srv->inst.dir, strerror(-err));
		goto err_cleanup;
	}
	if (pipe2(srv->stop_pipe, O_CLOEXEC) < 0) {
		err = -errno;
		snprintf(errbuf, errlen, "pipe: %s", strerror(errno));
		goto err_cleanup;
	}
	err = ctl_hook_install(srv);
	if (err < 0) {
		snprintf(errbuf, errlen,
			 "another debugger server already hooks this kernel's events");
		goto err_cleanup;
	}
	err = -pthread_create(&srv->accept_thread, NULL, accept_thread, srv);
	if (err < 0) {
		snprintf(errbuf, errlen, "cannot start the control thread: %s",
			 strerror(-err));
		ctl_hook_remove(srv);
		goto err_cleanup;
	}
	*out = srv;
	return 0;

err_cleanup:
	instance_cleanup(&srv->inst);
err_free:
	if (srv->listen_fd >= 0)
		close(srv->listen_fd);
	if (srv->stop_pipe[0] >= 0) {
		close(srv->stop_pipe[0]);
		close(srv->stop_pipe[1]);
	}
	pthread_cond_destroy(&srv->cond);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
	return err;
}

void ctl_server_stop(struct ctl_server *srv)
{
	struct ctl_client *c;

	if (!srv)
		return;
	/* No more events: the platform thread keeps running. */
	ctl_hook_remove(srv);

	if (write(srv->stop_pipe[1], "x", 1) < 0) {
		/* cannot happen: the pipe is empty and ours */
	}
	pthread_join(srv->accept_thread, NULL);
	close(srv->listen_fd);
	/* Remove the socket first so new sentrydbg's fail fast. */
	instance_cleanup(&srv->inst);

	pthread_mutex_lock(&srv->mu);
	srv->stopping = true;
	/* Wake every client thread: reads fail, blocked writes fail. */
	cds_list_for_each_entry(c, &srv->clients, node)
		shutdown(c->fd, SHUT_RDWR);
	while (srv->nr_clients > 0)
		pthread_cond_wait(&srv->cond, &srv->mu);
	pthread_mutex_unlock(&srv->mu);

	close(srv->stop_pipe[0]);
	close(srv->stop_pipe[1]);
	pthread_cond_destroy(&srv->cond);
	pthread_mutex_destroy(&srv->mu);
	free(srv);
}
