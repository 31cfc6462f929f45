/*
 * This file implements the control protocol's framing and message
 * validation (see proto.h). Parsing is done by jansson; this code only
 * checks lengths and the shape of the top-level object.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "debugger/proto.h"

void ctl_reader_init(struct ctl_reader *r, size_t max)
{
	memset(r, 0, sizeof(*r));
	r->max = max;
}

void ctl_reader_reset(struct ctl_reader *r)
{
	free(r->body);
	ctl_reader_init(r, r->max);
}

int ctl_reader_feed(struct ctl_reader *r, const void *data, size_t n,
		    size_t *used)
{
	const uint8_t *p = data;
	size_t off = 0;

	*used = 0;
	while (r->hdr_got < 4) {
		if (off == n)
			return 0;
		r->hdr[r->hdr_got++] = p[off++];
		*used = off;
		if (r->hdr_got == 4) {
			r->len = (uint32_t)r->hdr[0] << 24 |
				 (uint32_t)r->hdr[1] << 16 |
				 (uint32_t)r->hdr[2] << 8 | (uint32_t)r->hdr[3];
			if (r->len == 0)
				return -EPROTO;
			if (r->len > r->max)
				return -EMSGSIZE;
			/* Allocate as the bytes arrive, not as the header
			 * claims, so a peer cannot make us reserve max bytes
			 * per connection by sending four bytes. */
			r->body = NULL;
			r->body_got = 0;
		}
	}
	while (r->body_got < r->len) {
		size_t want = r->len - r->body_got, chunk = n - off;
		char *nb;

		if (chunk == 0)
			return 0;
		if (chunk > want)
			chunk = want;
		nb = realloc(r->body, r->body_got + chunk + 1);
		if (!nb)
			return -ENOMEM;
		r->body = nb;
		memcpy(r->body + r->body_got, p + off, chunk);
		r->body_got += chunk;
		r->body[r->body_got] = '\0';
		off += chunk;
		*used = off;
	}
	return 1;
}

char *ctl_reader_take(struct ctl_reader *r, size_t *len)
{
	char *b = r->body;

	*len = r->len;
	r->body = NULL;
	ctl_reader_init(r, r->max);
	return b;
}

int ctl_request_parse(const char *body, size_t len, struct ctl_request *req,
		      char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *msg, *v, *id, *cmd, *args;

	memset(req, 0, sizeof(*req));
	msg = json_loadb(body, len, JSON_REJECT_DUPLICATES,
			 &jerr);
	if (!msg) {
		snprintf(err, errlen, "malformed JSON at byte %d: %s",
			 jerr.position, jerr.text);
		return -EPROTO;
	}
	if (!json_is_object(msg)) {
		snprintf(err, errlen, "a message must be a JSON object");
		json_decref(msg);
		return -EPROTO;
	}
	req->msg = msg;
	id = json_object_get(msg, "id");
	if (json_is_integer(id)) {
		req->has_id = true;
		req->id = json_integer_value(id);
	}
	v = json_object_get(msg, "v");
	if (!json_is_integer(v)) {
		snprintf(err, errlen, "missing protocol version \"v\"");
		return -EPROTO;
	}
	if (json_integer_value(v) != CTL_PROTO_VERSION) {
		snprintf(err, errlen,
			 "unsupported protocol version %lld (this sentry speaks %d)",
			 (long long)json_integer_value(v), CTL_PROTO_VERSION);
		return -EPROTO;
	}
	if (!req->has_id) {
		snprintf(err, errlen, "missing integer \"id\"");
		return -EINVAL;
	}
	cmd = json_object_get(msg, "cmd");
	if (!json_is_string(cmd) || json_string_length(cmd) == 0) {
		snprintf(err, errlen, "missing string \"cmd\"");
		return -EINVAL;
	}
	args = json_object_get(msg, "args");
	if (args && !json_is_object(args)) {
		snprintf(err, errlen, "\"args\" must be an object");
		return -EINVAL;
	}
	if (!args) {
		args = json_object();
		if (!args || json_object_set_new(msg, "args", args) < 0) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	req->cmd = json_string_value(cmd);
	req->args = args;
	return 0;
}

void ctl_request_free(struct ctl_request *req)
{
	json_decref(req->msg);
	memset(req, 0, sizeof(*req));
}

json_t *ctl_request_new(json_int_t id, const char *cmd, json_t *args)
{
	return json_pack("{s:i, s:I, s:s, s:o}", "v", CTL_PROTO_VERSION, "id",
			 id, "cmd", cmd, "args", args ? args : json_object());
}

static json_t *reply_base(bool has_id, json_int_t id, bool ok)
{
	return json_pack("{s:i, s:o, s:b}", "v", CTL_PROTO_VERSION, "id",
			 has_id ? json_integer(id) : json_null(), "ok", ok);
}

json_t *ctl_reply_ok(bool has_id, json_int_t id, json_t *result)
{
	json_t *r = reply_base(has_id, id, true);

	if (!result)
		result = json_object();
	if (!r || json_object_set_new(r, "result", result) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *ctl_reply_error(bool has_id, json_int_t id, int err,
			const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	json_t *r = reply_base(has_id, id, false);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err < 0)
		err = -err;
	if (!r || json_object_set_new(r, "error",
				      json_pack("{s:s, s:i, s:s}", "code",
						ctl_errno_name(err), "errno",
						err, "message", msg)) < 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

const char *ctl_errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },         { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },         { EINTR, "EINTR" },
		{ EIO, "EIO" },             { E2BIG, "E2BIG" },
		{ ENOMEM, "ENOMEM" },       { EACCES, "EACCES" },
		{ EBUSY, "EBUSY" },         { EEXIST, "EEXIST" },
		{ EINVAL, "EINVAL" },       { ENOSPC, "ENOSPC" },
		{ ERANGE, "ERANGE" },       { ENOSYS, "ENOSYS" },
		{ EPROTO, "EPROTO" },       { EMSGSIZE, "EMSGSIZE" },
		{ EOPNOTSUPP, "EOPNOTSUPP" }, { EADDRINUSE, "EADDRINUSE" },
		{ ECONNRESET, "ECONNRESET" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EAGAIN, "EAGAIN" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { EPIPE, "EPIPE" },
		{ EUSERS, "EUSERS" },
	};

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return "EUNKNOWN";
}

/* Serialises msg once (json_dumpb twice costs two passes over a large
 * dump). Returns the body (malloc'd) or NULL on ENOMEM. */
static char *frame_body(json_t *msg, size_t *n)
{
	char *s = json_dumps(msg, JSON_COMPACT);

	*n = s ? strlen(s) : 0;
	return s;
}

static void frame_header(uint8_t h[4], size_t n)
{
	h[0] = (uint8_t)(n >> 24);
	h[1] = (uint8_t)(n >> 16);
	h[2] = (uint8_t)(n >> 8);
	h[3] = (uint8_t)n;
}

int ctl_frame_encode(json_t *msg, size_t max, char **buf, size_t *len)
{
	size_t n;
	char *s = frame_body(msg, &n), *b;

	if (!s || n == 0) {
		free(s);
		return -ENOMEM;
	}
	if (n > max || n > UINT32_MAX) {
		free(s);
		return -EMSGSIZE;
	}
	b = malloc(n + 4);
	if (!b) {
		free(s);
		return -ENOMEM;
	}
	frame_header((uint8_t *)b, n);
	memcpy(b + 4, s, n);
	free(s);
	*buf = b;
	*len = n + 4;
	return 0;
}

int ctl_send_fd(int fd, json_t *msg, int pass_fd)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} u;
	uint8_t hdr[4];
	size_t n, sent = 0;
	char *body = frame_body(msg, &n);
	int err = 0;

	if (!body || n == 0) {
		free(body);
		return -ENOMEM;
	}
	if (n > CTL_MAX_REPLY || n > UINT32_MAX) {
		free(body);
		return -EMSGSIZE;
	}
	frame_header(hdr, n);
	while (sent < n + 4) {
		struct iovec iov[2];
		struct msghdr mh = { .msg_iov = iov };
		ssize_t w;

		if (sent < 4) {
			iov[0].iov_base = hdr + sent;
			iov[0].iov_len = 4 - sent;
			iov[1].iov_base = body;
			iov[1].iov_len = n;
			mh.msg_iovlen = 2;
		} else {
			iov[0].iov_base = body + (sent - 4);
			iov[0].iov_len = n - (sent - 4);
			mh.msg_iovlen = 1;
		}
		/* The descriptor rides with the frame's first byte. */
		if (sent == 0 && pass_fd >= 0) {
			memset(&u, 0, sizeof(u));
			mh.msg_control = u.b;
			mh.msg_controllen = sizeof(u.b);
			struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
		}
		w = sendmsg(fd, &mh, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			err = -errno;
			break;
		}
		sent += (size_t)w;
	}
	free(body);
	return err;
}

int ctl_send(int fd, json_t *msg)
{
	return ctl_send_fd(fd, msg, -1);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_recv(int fd, size_t max, int timeout_ms, json_t **out)
{
	struct ctl_reader r;
	int64_t deadline = timeout_ms >= 0 ? now_ms() + timeout_ms : -1;
	char buf[65536];
	int err;

	ctl_reader_init(&r, max);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait = -1;
		ssize_t n;
		size_t used;

		if (deadline >= 0) {
			int64_t left = deadline - now_ms();

			if (left <= 0) {
				err = -ETIMEDOUT;
				goto out;
			}
			wait = (int)left;
		}
		if (poll(&pfd, 1, wait) < 0) {
			if (errno == EINTR) {
				err = -EINTR;
				goto out;
			}
			err = -errno;
			goto out;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		/* Read only what completes the current frame, so bytes of the
		 * next frame stay in the socket for the next call. */
		{
			size_t want = r.hdr_got < 4 ? 4 - r.hdr_got
						    : r.len - r.body_got;

			if (want > sizeof(buf))
				want = sizeof(buf);
			n = recv(fd, buf, want, 0);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto out;
		}
		if (n == 0) {
			err = -ECONNRESET;
			goto out;
		}
		err = ctl_reader_feed(&r, buf, (size_t)n, &used);
		if (err < 0)
			goto out;
		if (err == 1) {
			json_error_t jerr;
			size_t len;
			char *body = ctl_reader_take(&r, &len);

			*out = json_loadb(body, len, 0, &jerr);
			free(body);
			if (!*out || !json_is_object(*out)) {
				json_decref(*out);
				*out = NULL;
				return -EPROTO;
			}
			return 0;
		}
	}
out:
	ctl_reader_reset(&r);
	return err;
}
