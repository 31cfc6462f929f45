/*
 * libFuzzer target: the control protocol's parser (src/debugger/proto.c),
 * as the server runs it on bytes from a socket.
 *
 * The first input byte picks the chunk size the bytes arrive in (sockets
 * split frames anywhere); the rest is the stream. Every complete frame is
 * validated as a request, and valid requests are turned back into replies
 * to exercise the builders.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "debugger/proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_reader r;
	size_t chunk, off = 1;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	/* A small limit so that EMSGSIZE is reachable. */
	ctl_reader_init(&r, 4096);
	while (off < size) {
		size_t n = size - off < chunk ? size - off : chunk, used;
		int rc = ctl_reader_feed(&r, data + off, n, &used);

		if (used > n)
			abort();
		off += used;
		if (rc < 0)
			break;
		if (rc == 1) {
			struct ctl_request req;
			char err[256];
			size_t len;
			char *body = ctl_reader_take(&r, &len);

			if (ctl_request_parse(body, len, &req, err, sizeof(err)) == 0) {
				json_t *rep = ctl_reply_ok(req.has_id, req.id,
							   json_incref(req.args));
				char *buf;
				size_t blen;

				if (rep && ctl_frame_encode(rep, CTL_MAX_REPLY,
							    &buf, &blen) == 0)
					free(buf);
				json_decref(rep);
			} else {
				json_decref(ctl_reply_error(req.has_id, req.id,
							    22, "%s", err));
			}
			ctl_request_free(&req);
			free(body);
		} else if (used == 0) {
			break;
		}
	}
	ctl_reader_reset(&r);
	return 0;
}
