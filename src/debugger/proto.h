/*
 * proto.h - the control protocol between the sentry and sentrydbg
 * (DESIGN §7, man/sentrydbg.1 "PROTOCOL").
 *
 * A connection carries frames in both directions. A frame is a 4-byte
 * big-endian length followed by that many bytes of one JSON object (UTF-8,
 * no trailing NUL). Every object has "v": CTL_PROTO_VERSION.
 *
 *   request   {"v":1, "id":N, "cmd":"task", "args":{"tid":5}}
 *   reply     {"v":1, "id":N, "ok":true,  "result":{...}}
 *             {"v":1, "id":N, "ok":false, "error":{"code":"ESRCH",
 *                                          "errno":3, "message":"..."}}
 *   event     {"v":1, "event":"catch"|"watch"|"dropped", ...}
 *
 * "id" is an integer chosen by the client and echoed in the reply (null
 * when the request was too broken to have one). "args" is optional and
 * must be an object. Events are unsolicited and never carry "id".
 *
 * This file is compiled into the sentry (libsentry_debugger) and, through
 * dbg_proto.c, into sentrydbg. It must not depend on the kernel.
 */
#ifndef SENTRY_DEBUGGER_PROTO_H
#define SENTRY_DEBUGGER_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CTL_PROTO_VERSION 1

/* Largest request the server accepts. Larger frames are answered with an
 * EMSGSIZE error and the connection is closed. */
#define CTL_MAX_REQUEST (1u << 20)
/* Largest reply or event the client accepts (a dump of many tasks). */
#define CTL_MAX_REPLY (256u << 20)

/* Incremental frame reader for non-blocking sockets. */
struct ctl_reader {
	size_t max;        /* largest body accepted */
	uint8_t hdr[4];
	size_t hdr_got;
	uint32_t len;      /* body length once the header is complete */
	char *body;        /* malloc'd, len + 1 bytes (NUL-terminated) */
	size_t body_got;
};

void ctl_reader_init(struct ctl_reader *r, size_t max);
void ctl_reader_reset(struct ctl_reader *r);

/*
 * ctl_reader_feed consumes bytes from data (n bytes) until one frame is
 * complete. Returns 1 when a frame is ready (its body is r->body, r->len
 * bytes, NUL-terminated; take it with ctl_reader_take), 0 when more bytes
 * are needed (all n consumed), -EMSGSIZE for a frame larger than r->max,
 * -EPROTO for an empty frame, -ENOMEM. *used says how many bytes were
 * consumed. After an error the stream cannot be resynchronised.
 */
int ctl_reader_feed(struct ctl_reader *r, const void *data, size_t n,
		    size_t *used);

/* Hands the completed body (NUL-terminated, length *len) to the caller,
 * who frees it, and resets r for the next frame. */
char *ctl_reader_take(struct ctl_reader *r, size_t *len);

/* A request after validation. cmd and args are borrowed from msg. */
struct ctl_request {
	json_t *msg;     /* the whole object (a new reference) */
	json_int_t id;
	bool has_id;
	const char *cmd;
	json_t *args;    /* an object (empty when absent) */
};

/*
 * ctl_request_parse parses and validates one request body. Returns 0 and
 * fills req (release with ctl_request_free), or -EPROTO / -EINVAL with a
 * message in err. On error req->has_id/req->id are still set when the body
 * was an object with an integer "id", so the error reply can carry it.
 */
int ctl_request_parse(const char *body, size_t len, struct ctl_request *req,
		      char *err, size_t errlen);
void ctl_request_free(struct ctl_request *req);

/* Builders. Each returns a new reference, or NULL on ENOMEM. result is
 * stolen (NULL means {}). */
json_t *ctl_request_new(json_int_t id, const char *cmd, json_t *args);
json_t *ctl_reply_ok(bool has_id, json_int_t id, json_t *result);
json_t *ctl_reply_error(bool has_id, json_int_t id, int err,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "ESRCH" for ESRCH (positive or negative), "EUNKNOWN" otherwise. */
const char *ctl_errno_name(int err);

/* Encodes msg as one frame into a malloc'd buffer. Returns 0 and
 * *buf and *len, -EMSGSIZE when larger than max, -ENOMEM. */
int ctl_frame_encode(json_t *msg, size_t max, char **buf, size_t *len);

/* Writes msg as one frame on a blocking socket (MSG_NOSIGNAL). Returns 0
 * or -errno (-EPIPE when the peer has gone). */
int ctl_send(int fd, json_t *msg);
/* The same, passing descriptor pass_fd (SCM_RIGHTS) with the frame's
 * first byte when pass_fd >= 0: the server gives it to that request
 * (the file a `dump` with "to_fd" writes into). */
int ctl_send_fd(int fd, json_t *msg, int pass_fd);

/*
 * ctl_recv reads one frame from a blocking socket and parses it into a
 * JSON object. timeout_ms < 0 waits forever. Returns 0 and a new reference
 * in *out, -ETIMEDOUT, -ECONNRESET when the peer closed, -EMSGSIZE,
 * -EPROTO for a malformed frame or body, -errno otherwise.
 */
int ctl_recv(int fd, size_t max, int timeout_ms, json_t **out);

#endif
