// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the socket transport's wire protocol for real: one gp_socket
 * (daemon/frontend/socket.c) listens on a temporary path for the whole run,
 * in front of mali-csf on the mock Mali-G610, and each input is one client
 * connection (AF_UNIX SOCK_SEQPACKET) sending a whole sequence of packets.
 *
 * Input: a sequence of operations, each an opcode byte and its operands
 * (missing bytes read as zero), at most FZ_MAX_OPS of them:
 *
 *   RAW      any bytes as one packet (truncated headers, unknown ops, ...)
 *   IOCTL    an IOCTL request with fuzzed cmd, arg, in_len, out_len and IN
 *            bytes, in_len matching the packet or not
 *   ROUNDS   an ioctl run round by round as a client does, each RETRY
 *            answered with the IN bytes and OUT room it asked for, plus or
 *            minus a fuzzed amount (mismatched RETRY answers)
 *   READ, CANCEL, POLL   with fuzzed sizes and flags, interleaved freely
 *   SYNC     wait until every request sent so far is answered
 *   IRQ      service the mock's interrupt, as the control plane does
 *   REVOKE, REBIND       the device goes away and comes back mid-sequence
 *   BIG, EMPTY           a packet over GPSOCK_MSG_MAX, an empty packet
 *
 * Checked besides the sanitizers, from the protocol as
 * <gpu-proto/gpu_proto_socket.h> and docs/socket-transport.md state it:
 * every request except READ (which may park) and CANCEL gets exactly one
 * reply, in order, of the kind the request calls for (ERR EMSGSIZE for a
 * short, empty or oversized packet, ERR EPROTO for an unknown op or a
 * malformed IOCTL, ERR EINVAL for a negative READ size, RETRY or DONE for
 * an IOCTL, MASK for a POLL); a RETRY names at most GPSOCK_MAX_RANGES valid
 * ranges within GPSOCK_MAX_XFER a direction; DONE carries at most the
 * out_len the request offered; DATA at most the size read; a parked read
 * is answered at most once (DATA, or ERR ENODEV/EINVAL/EINTR).  Nothing
 * may hang: sends never block (replies are drained meanwhile) and the
 * server has FZ_REPLY_TIMEOUT_MS to answer each request, or the input is
 * a crash (as is a libFuzzer -timeout).  At the end of each input the connection still answers a POLL.
 *
 * FZ_PAUSE_ON_FAILURE=1 in the environment: a failed check waits instead of
 * aborting, so a debugger can see which of the server's threads is stuck.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_socket.h>

#include "backend.h"
#include "drivers.h"
#include "file.h"
#include "log.h"
#include "mock.h"
#include "registration.h"
#include "socket.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_OPS		64
#define FZ_RAW_MAX		255
#define FZ_MAX_ROUNDS		4
/*
 * A server that does not answer within this is hung: generous for ASan on
 * a loaded machine, and under the smoke run's -timeout=10 so the failure
 * names what was waited for.
 */
#define FZ_REPLY_TIMEOUT_MS	8000
/* Requests whose replies may be outstanding at once (bounded by FZ_MAX_OPS). */
#define FZ_EXPECT_MAX		(FZ_MAX_OPS * (FZ_MAX_ROUNDS + 1) + 2)

#define fz_assert(cond, ...)							\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "fuzz_socket: " __VA_ARGS__);		\
			fputc('\n', stderr);					\
			if (getenv("FZ_PAUSE_ON_FAILURE"))			\
				pause();	/* for gdb -p: which thread hangs */ \
			abort();						\
		}								\
	} while (0)

/* FZ_TRACE=1: each operation, packet and reply on stderr. */
static bool fz_trace;

#define fz_tracef(...)								\
	do {									\
		if (fz_trace)							\
			fprintf(stderr, __VA_ARGS__);				\
	} while (0)

enum fz_op {
	FZ_OP_RAW,
	FZ_OP_IOCTL,
	FZ_OP_ROUNDS,
	FZ_OP_READ,
	FZ_OP_CANCEL,
	FZ_OP_POLL,
	FZ_OP_SYNC,
	FZ_OP_IRQ,
	FZ_OP_REVOKE,
	FZ_OP_REBIND,
	FZ_OP_BIG,
	FZ_OP_EMPTY,
	FZ_OP_COUNT,
};

/* --- the daemon side: one socket, the mock device behind it --- */

static struct gp_socket *fz_sock;
static char fz_dir[] = "/tmp/gp-fuzz-socket.XXXXXX";
static char fz_path[sizeof(fz_dir) + 24];
static struct gp_mock_config fz_mock_cfg;

/* The accepting thread asks for the device while the harness revokes it. */
static pthread_mutex_t fz_reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gp_registration *fz_reg;	/* NULL while revoked */
static int fz_irq_fd = -1;

static struct gp_device *fz_current_device(void *ctx)
{
	struct gp_device *dev = NULL;

	(void)ctx;
	pthread_mutex_lock(&fz_reg_lock);
	if (fz_reg)
		dev = gp_device_get(gp_registration_device(fz_reg));
	pthread_mutex_unlock(&fz_reg_lock);
	return dev;
}

static void fz_bind(void)
{
	struct gp_registration *reg;
	struct gp_backend *be = NULL;
	int r;

	r = gp_mock_open(&fz_mock_cfg, &be);
	fz_assert(r == 0, "gp_mock_open: %d", r);
	fz_irq_fd = gp_backend_irq_fd(be, GP_MOCK_IRQ_GPU);
	r = gp_driver_bind(&gp_mali_csf_driver, &be, "mock", &reg);
	fz_assert(r == 0, "binding mali-csf: %d", r);
	pthread_mutex_lock(&fz_reg_lock);
	fz_reg = reg;
	pthread_mutex_unlock(&fz_reg_lock);
}

static void fz_unbind(void)
{
	struct gp_registration *reg;
	int r;

	pthread_mutex_lock(&fz_reg_lock);
	reg = fz_reg;
	fz_reg = NULL;
	pthread_mutex_unlock(&fz_reg_lock);
	if (!reg)
		return;
	fz_irq_fd = -1;
	r = gp_registration_revoke(reg);
	fz_assert(r == 0, "revoke: %d", r);
	gp_registration_free(&reg);
}

/* The control plane's part of an interrupt; only this thread revokes, so fz_reg is stable. */
static void fz_service_irq(void)
{
	struct pollfd pfd = { .fd = fz_irq_fd, .events = POLLIN };
	uint64_t count;

	if (!fz_reg || fz_irq_fd < 0 || poll(&pfd, 1, 0) != 1)
		return;
	fz_assert(read(fz_irq_fd, &count, sizeof(count)) == sizeof(count), "reading the IRQ eventfd");
	gp_device_handle_irq(gp_registration_device(fz_reg), GP_MOCK_IRQ_GPU);
}

/* --- the input --- */

struct fz_input {
	const uint8_t *p;
	size_t n;
};

static uint64_t fz_bytes(struct fz_input *in, size_t len)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++) {
		v |= (uint64_t)(in->n ? *in->p : 0) << (8 * i);
		if (in->n) {
			in->p++;
			in->n--;
		}
	}
	return v;
}

static uint8_t fz_u8(struct fz_input *in)
{
	return (uint8_t)fz_bytes(in, 1);
}

/* Up to @len bytes of the input into @dst, zeros after its end. */
static void fz_fill(struct fz_input *in, unsigned char *dst, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	memcpy(dst, in->p, n);
	memset(dst + n, 0, len - n);
	in->p += n;
	in->n -= n;
}

static const uint32_t fz_cmds[] = {
	GPU_PROTO_IOCTL_GET_CAP,
	GPU_PROTO_IOCTL_VERSION,
	GPU_PROTO_IOCTL_GET_UNIQUE,
	GPU_PROTO_IOCTL_MALI_DEV_QUERY,
	GPU_PROTO_IOCTL_MALI_PROTO_FLUSH_CACHES,
	_IO('d', 0x40),
	_IOWR('x', 0x01, uint64_t),
};

static uint32_t fz_cmd(struct fz_input *in)
{
	uint8_t sel = fz_u8(in);

	if (sel < 0xf0)
		return fz_cmds[sel % (sizeof(fz_cmds) / sizeof(fz_cmds[0]))];
	return (uint32_t)fz_bytes(in, 4);
}

static uint64_t fz_arg(struct fz_input *in)
{
	static const uint64_t args[] = {
		0x7f0000001000ull, 0, 1, 0xfffffffffffffff0ull, 0xffffffffffffffffull,
	};
	uint8_t sel = fz_u8(in);

	if (sel < 0xf0)
		return args[sel % (sizeof(args) / sizeof(args[0]))];
	return fz_bytes(in, 8);
}

static int64_t fz_read_size(struct fz_input *in)
{
	static const int64_t sizes[] = {
		4096, 0, 1, 16, 24, 32, 65536, -1, INT64_MIN, INT64_MAX,
	};
	uint8_t sel = fz_u8(in);

	if (sel < 0xf0)
		return sizes[sel % (sizeof(sizes) / sizeof(sizes[0]))];
	return (int64_t)fz_bytes(in, 8);
}

/* --- the client side: what it expects, in order --- */

enum fz_expect_kind {
	FZ_EXPECT_ERR,		/* ERR with @err */
	FZ_EXPECT_IOCTL,	/* RETRY, or DONE with at most @out_len bytes */
	FZ_EXPECT_MASK,
	FZ_EXPECT_READ_NB,	/* DATA of at most @size, or ERR EAGAIN/ENODEV/EINVAL */
};

struct fz_expect {
	enum fz_expect_kind kind;
	int err;
	size_t out_len, size;
};

struct fz_conn {
	int fd;
	bool closed;			/* the server ended the connection */
	struct fz_expect expect[FZ_EXPECT_MAX];
	unsigned int head, tail;
	unsigned int reads_parked;	/* the blocking READ still parked (0 or 1) */
	size_t read_size_max;		/* the largest READ size asked */
	/* The last RETRY or DONE, for ROUNDS. */
	struct gpsock_hdr last;
	struct gpsock_range ranges[GPSOCK_MAX_RANGES];
};

static unsigned char fz_rbuf[GPSOCK_MSG_MAX + 1];
static unsigned char fz_sbuf[GPSOCK_MSG_MAX + 4096];

static long fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * poll() that sits out signals: libFuzzer's timeout alarm interrupts it
 * every second or so, and an EINTR is not a server that did not answer.
 */
static int fz_poll(struct pollfd *pfd, int timeout_ms)
{
	long deadline = fz_now_ms() + timeout_ms;
	int r;

	for (;;) {
		r = poll(pfd, 1, timeout_ms);
		if (r >= 0 || errno != EINTR)
			return r;
		timeout_ms = (int)(deadline - fz_now_ms());
		if (timeout_ms < 0)
			timeout_ms = 0;
	}
}

static void fz_expect(struct fz_conn *c, struct fz_expect e)
{
	fz_assert(c->tail - c->head < FZ_EXPECT_MAX, "expectation queue overflow");
	c->expect[c->tail++ % FZ_EXPECT_MAX] = e;
}

static bool fz_is_read_answer(const struct gpsock_hdr *h, size_t len, size_t size_max)
{
	if (h->op == GPSOCK_DATA)
		return len > 0 && (int64_t)len == h->value && len <= size_max &&
		       len <= GP_FILE_EVENT_SPACE;
	return h->op == GPSOCK_ERR && len == 0 &&
	       (h->value == EAGAIN || h->value == ENODEV || h->value == EINVAL || h->value == EINTR);
}

static void fz_check_retry(struct fz_conn *c, const struct gpsock_hdr *h, size_t len)
{
	size_t in = 0, out = 0;

	fz_assert(h->value > 0 && h->value <= GPSOCK_MAX_RANGES, "RETRY with %lld ranges",
		  (long long)h->value);
	fz_assert(len == (size_t)h->value * sizeof(struct gpsock_range),
		  "RETRY of %lld ranges carries %zu bytes", (long long)h->value, len);
	memcpy(c->ranges, fz_rbuf + sizeof(*h), len);
	for (int64_t i = 0; i < h->value; i++) {
		const struct gpsock_range *r = &c->ranges[i];

		fz_assert(r->len > 0 && r->dir && !(r->dir & ~(GPSOCK_DIR_IN | GPSOCK_DIR_OUT)),
			  "RETRY range %lld: len %u dir %#x", (long long)i, r->len, r->dir);
		if (r->dir & GPSOCK_DIR_IN)
			in += r->len;
		if (r->dir & GPSOCK_DIR_OUT)
			out += r->len;
	}
	fz_assert(in <= GPSOCK_MAX_XFER && out <= GPSOCK_MAX_XFER,
		  "RETRY asks for %zu bytes in, %zu out: over GPSOCK_MAX_XFER", in, out);
}

/* Does reply @h (@len payload bytes) answer the request at the head of the queue? */
static bool fz_matches(struct fz_conn *c, const struct fz_expect *e, const struct gpsock_hdr *h,
		       size_t len)
{
	switch (e->kind) {
	case FZ_EXPECT_ERR:
		return h->op == GPSOCK_ERR && h->value == e->err && len == 0;
	case FZ_EXPECT_IOCTL:
		if (h->op == GPSOCK_RETRY) {
			fz_check_retry(c, h, len);
			return true;
		}
		if (h->op != GPSOCK_DONE)
			return false;
		fz_assert(len <= e->out_len, "DONE carries %zu bytes, %zu offered", len, e->out_len);
		fz_assert(h->value >= -4095 && h->value <= INT32_MAX, "DONE with result %lld",
			  (long long)h->value);
		return true;
	case FZ_EXPECT_MASK:
		return h->op == GPSOCK_MASK && len == 0;
	case FZ_EXPECT_READ_NB:
		return fz_is_read_answer(h, len, e->size) && !(h->op == GPSOCK_ERR && h->value == EINTR);
	}
	return false;
}

/* Take one packet the server sent; false if the connection has ended. */
static bool fz_take(struct fz_conn *c, int flags)
{
	const struct gpsock_hdr *h = (const void *)fz_rbuf;
	struct msghdr msg;
	struct iovec iov = { .iov_base = fz_rbuf, .iov_len = sizeof(fz_rbuf) };
	ssize_t n;
	size_t len;

	msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
	do {
		n = recvmsg(c->fd, &msg, flags);
	} while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		/* The server may end a connection (its limits); never with a reply owed here. */
		fz_assert(n == 0 || errno == ECONNRESET, "recvmsg: %s", strerror(errno));
		c->closed = true;
		return false;
	}
	fz_assert(!(msg.msg_flags & MSG_TRUNC) && (size_t)n >= sizeof(*h) && (size_t)n <= GPSOCK_MSG_MAX,
		  "a reply of %zd bytes (flags %#x)", n, msg.msg_flags);
	len = (size_t)n - sizeof(*h);
	fz_tracef("  <- op %u value %lld, %zu bytes\n", h->op, (long long)h->value, len);
	if (h->op == GPSOCK_WAKE) {
		fz_assert(len == 0, "WAKE with %zu bytes", len);
		return true;
	}
	/*
	 * An answer to a parked read may match the head too (the same ERR
	 * EINVAL, a DATA that fits): taken for the head's, the head's own
	 * reply then counts as the parked read's, which it equals.
	 */
	if (c->head != c->tail && fz_matches(c, &c->expect[c->head % FZ_EXPECT_MAX], h, len)) {
		c->head++;
		if (h->op == GPSOCK_RETRY || h->op == GPSOCK_DONE) {
			c->last = *h;
			c->last.value = h->op == GPSOCK_RETRY ? h->value : 0;
		}
		return true;
	}
	/* A blocking READ's answer comes whenever its event (or revoke) does. */
	fz_assert(c->reads_parked && fz_is_read_answer(h, len, c->read_size_max),
		  "unexpected reply op %u value %lld (%zu bytes); expected kind %d, %u reads parked",
		  h->op, (long long)h->value, len,
		  c->head != c->tail ? (int)c->expect[c->head % FZ_EXPECT_MAX].kind : -1,
		  c->reads_parked);
	c->reads_parked--;
	return true;
}

/* Everything the server has sent so far, without waiting. */
static void fz_drain(struct fz_conn *c)
{
	while (!c->closed) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

		if (fz_poll(&pfd, 0) != 1 || !(pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			return;
		if (!fz_take(c, MSG_DONTWAIT))
			return;
	}
}

static void fz_send_packet(struct fz_conn *c, const unsigned char *buf, size_t len);

/*
 * Wait until every request sent so far is answered, READs answered or
 * parked: a POLL after them is, and its MASK shows which READs were not.
 */
static void fz_sync(struct fz_conn *c)
{
	const struct gpsock_hdr ping = { .op = GPSOCK_POLL };
	long deadline = fz_now_ms() + FZ_REPLY_TIMEOUT_MS;

	fz_send_packet(c, (const void *)&ping, sizeof(ping));

	while (!c->closed && c->head != c->tail) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		long left = deadline - fz_now_ms();

		fz_assert(left > 0 && fz_poll(&pfd, (int)left) == 1,
			  "no reply within %d ms: %u requests unanswered", FZ_REPLY_TIMEOUT_MS,
			  c->tail - c->head);
		fz_take(c, MSG_DONTWAIT);
	}
}

/* Send one packet without ever blocking on a server that does not read. */
static void fz_send(struct fz_conn *c, const void *buf, size_t len)
{
	long deadline = fz_now_ms() + FZ_REPLY_TIMEOUT_MS;

	while (!c->closed) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN | POLLOUT };

		if (send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return;
		if (errno == EPIPE || errno == ECONNRESET) {
			c->closed = true;
			return;
		}
		fz_assert(errno == EAGAIN || errno == EINTR, "send: %s", strerror(errno));
		fz_drain(c);
		fz_assert(fz_now_ms() < deadline, "the server stopped reading for %d ms",
			  FZ_REPLY_TIMEOUT_MS);
		poll(&pfd, 1, 10);
	}
}

/* What the server answers a packet of these bytes, by the protocol's rules. */
static void fz_send_packet(struct fz_conn *c, const unsigned char *buf, size_t len)
{
	struct gpsock_hdr h = { 0 };
	struct gpsock_ioctl req;
	bool blocking_read;

	if (len >= sizeof(h))
		memcpy(&h, buf, sizeof(h));
	/*
	 * A blocking READ is answered now or when it is unparked: with every
	 * earlier reply read before it and a POLL's MASK after it, whatever
	 * read answer comes is not mistaken for another request's reply.
	 */
	blocking_read = len >= sizeof(h) && len <= GPSOCK_MSG_MAX && h.op == GPSOCK_READ &&
			h.value >= 0 && !(h.flags & GPSOCK_READ_NONBLOCK);
	if (blocking_read)
		fz_sync(c);
	fz_send(c, buf, len);
	if (len >= sizeof(h)) {
		fz_tracef("  -> op %u flags %#x value %lld, %zu bytes\n", h.op, h.flags,
			  (long long)h.value, len);
	} else {
		fz_tracef("  -> %zu bytes\n", len);
	}
	if (len < sizeof(h) || len > GPSOCK_MSG_MAX) {
		fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EMSGSIZE });
		return;
	}
	/* Any read's answer may be taken for a parked one's (see fz_take()). */
	if (h.op == GPSOCK_READ && h.value > 0 && (uint64_t)h.value > c->read_size_max)
		c->read_size_max = (size_t)h.value;
	switch (h.op) {
	case GPSOCK_IOCTL:
		memcpy(&req, buf, len < sizeof(req) ? len : sizeof(req));
		if (len < sizeof(req) || req.in_len != len - sizeof(req) ||
		    req.out_len > GPSOCK_MAX_XFER)
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EPROTO });
		else
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_IOCTL, .out_len = req.out_len });
		break;
	case GPSOCK_READ:
		if (h.value < 0) {
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EINVAL });
		} else if (c->reads_parked) {
			/*
			 * One read at a time per connection, blocking or not:
			 * the sync before a blocking READ took every answer
			 * sent, so one counted here is still parked.
			 */
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EBUSY });
		} else if (h.flags & GPSOCK_READ_NONBLOCK) {
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_READ_NB,
							 .size = (size_t)h.value });
		} else {
			c->reads_parked++;
		}
		break;
	case GPSOCK_CANCEL:
		/*
		 * Answers the parked read with EINTR, in order: nothing else
		 * answers it meanwhile (interrupts and revokes are synced).
		 */
		if (c->reads_parked) {
			c->reads_parked--;
			fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EINTR });
		}
		break;
	case GPSOCK_POLL:
		fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_MASK });
		break;
	default:
		fz_expect(c, (struct fz_expect){ .kind = FZ_EXPECT_ERR, .err = EPROTO });
		break;
	}
	if (blocking_read)
		fz_sync(c);
}

static void fz_send_ioctl(struct fz_conn *c, uint32_t cmd, uint64_t arg, uint32_t in_len_field,
			  uint32_t out_len, struct fz_input *in, size_t in_bytes)
{
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .arg = arg, .cmd = cmd, .in_len = in_len_field,
		.out_len = out_len,
	};

	memcpy(fz_sbuf, &req, sizeof(req));
	fz_fill(in, fz_sbuf + sizeof(req), in_bytes);
	fz_send_packet(c, fz_sbuf, sizeof(req) + in_bytes);
}

static void fz_op_raw(struct fz_conn *c, struct fz_input *in)
{
	size_t len = fz_u8(in);

	fz_fill(in, fz_sbuf, len);
	fz_send_packet(c, fz_sbuf, len);
}

static void fz_op_ioctl(struct fz_conn *c, struct fz_input *in)
{
	uint32_t cmd = fz_cmd(in);
	uint64_t arg = fz_arg(in);
	uint8_t how = fz_u8(in);
	size_t in_bytes = fz_bytes(in, 2) % 512;
	uint32_t out_len = (uint32_t)fz_bytes(in, 3) << (how & 0x08 ? 8 : 0);
	uint32_t in_len = how & 0x01 ? (uint32_t)fz_bytes(in, 4) : (uint32_t)in_bytes;

	fz_send_ioctl(c, cmd, arg, in_len, out_len, in, in_bytes);
}

/* An ioctl as a client runs it, each RETRY answered with a fuzzed error in size. */
static void fz_op_rounds(struct fz_conn *c, struct fz_input *in)
{
	uint32_t cmd = fz_cmd(in);
	uint64_t arg = fz_arg(in);
	size_t in_len = 0, out_len = 0;

	for (unsigned int round = 0; round < FZ_MAX_ROUNDS && !c->closed; round++) {
		int8_t d_in = (int8_t)fz_u8(in), d_out = (int8_t)fz_u8(in);
		long want_in = (long)in_len + (round ? d_in : 0);
		long want_out = (long)out_len + (round ? d_out : 0);

		in_len = want_in < 0 ? 0 : (size_t)want_in > GPSOCK_MAX_XFER ? GPSOCK_MAX_XFER :
			 (size_t)want_in;
		out_len = want_out < 0 ? 0 : (size_t)want_out;
		fz_send_ioctl(c, cmd, arg, (uint32_t)in_len, (uint32_t)out_len, in, in_len);
		fz_sync(c);
		if (c->closed || c->last.op != GPSOCK_RETRY)
			return;
		in_len = out_len = 0;
		for (int64_t i = 0; i < c->last.value; i++) {
			if (c->ranges[i].dir & GPSOCK_DIR_IN)
				in_len += c->ranges[i].len;
			if (c->ranges[i].dir & GPSOCK_DIR_OUT)
				out_len += c->ranges[i].len;
		}
		c->last.op = 0;
	}
}

static void fz_op_big(struct fz_conn *c, struct fz_input *in)
{
	size_t extra = fz_u8(in) * 16;
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .cmd = fz_cmd(in), .arg = fz_arg(in),
		.in_len = (uint32_t)(GPSOCK_MSG_MAX + extra - sizeof(req)),
	};

	memset(fz_sbuf, 0xa5, GPSOCK_MSG_MAX + extra);
	memcpy(fz_sbuf, &req, sizeof(req));
	fz_send_packet(c, fz_sbuf, GPSOCK_MSG_MAX + extra);
}

static int fz_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	fz_assert(fd >= 0, "socket: %s", strerror(errno));
	strcpy(sun.sun_path, fz_path);
	fz_assert(connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0, "connect: %s",
		  strerror(errno));
	return fd;
}

/* --- the harness --- */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct gp_socket_config cfg = {
		.node = GP_NODE_RENDER, .current_device = fz_current_device,
	};
	char err[256];
	int r;

	(void)argc;
	(void)argv;
	fz_trace = getenv("FZ_TRACE") && *getenv("FZ_TRACE") == '1';
	gp_log_set_max_level(LOG_CRIT);
	gp_mock_config_init(&fz_mock_cfg);
	r = gp_mock_config_parse(&fz_mock_cfg, "reset-delay-us=0,l2-power-delay-us=0,flush-delay-us=0",
				 err, sizeof(err));
	fz_assert(r == 0, "mock options: %s", err);
	fz_bind();
	fz_assert(mkdtemp(fz_dir), "mkdtemp: %s", strerror(errno));
	snprintf(fz_path, sizeof(fz_path), "%s/gpu-proto.sock", fz_dir);
	cfg.path = fz_path;
	r = gp_socket_new(&cfg, &fz_sock);
	fz_assert(r == 0, "gp_socket_new: %d", r);
	r = gp_socket_start(fz_sock);
	fz_assert(r == 0, "gp_socket_start: %d", r);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_input in = { .p = data, .n = size };
	struct fz_conn *c = calloc(1, sizeof(*c));
	struct gpsock_hdr hdr;
	struct pollfd pfd;

	fz_assert(c, "out of memory");
	c->fd = fz_connect();
	pfd = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	fz_assert(fz_poll(&pfd, FZ_REPLY_TIMEOUT_MS) == 1, "no OPENED");
	fz_assert(recv(c->fd, &hdr, sizeof(hdr), 0) == sizeof(hdr) && hdr.op == GPSOCK_OPENED &&
		  hdr.value == 0, "OPENED: op %u value %lld", hdr.op, (long long)hdr.value);

	for (unsigned int n = 0; in.n && n < FZ_MAX_OPS && !c->closed; n++) {
		uint8_t op;

		fz_drain(c);
		op = fz_u8(&in) % FZ_OP_COUNT;
		fz_tracef("op %u\n", op);
		switch (op) {
		case FZ_OP_RAW:
			fz_op_raw(c, &in);
			break;
		case FZ_OP_IOCTL:
			fz_op_ioctl(c, &in);
			break;
		case FZ_OP_ROUNDS:
			fz_op_rounds(c, &in);
			break;
		case FZ_OP_READ:
			hdr = (struct gpsock_hdr){ .op = GPSOCK_READ, .flags = fz_u8(&in) };
			hdr.value = fz_read_size(&in);
			fz_send_packet(c, (const void *)&hdr, sizeof(hdr));
			break;
		case FZ_OP_CANCEL:
			hdr = (struct gpsock_hdr){ .op = GPSOCK_CANCEL };
			fz_send_packet(c, (const void *)&hdr, sizeof(hdr));
			break;
		case FZ_OP_POLL:
			hdr = (struct gpsock_hdr){ .op = GPSOCK_POLL, .flags = fz_u8(&in) };
			fz_send_packet(c, (const void *)&hdr, sizeof(hdr));
			break;
		case FZ_OP_SYNC:
			fz_sync(c);
			break;
		/*
		 * The control plane's operations run with every reply read:
		 * a parked read's answer is still a blocking send under the
		 * connection's lock, from revoke and the IRQ path (issue 11,
		 * item 1), and with our queue full it would wait for this
		 * very thread.  Drop the sync once those sends cannot block.
		 */
		/*
		 * And a sync after: the server answers what the interrupt or
		 * the revoke did to a parked read before any later request,
		 * so after the POLL's MASK the model knows whether a read is
		 * still parked (a READ then gets EBUSY).
		 */
		case FZ_OP_IRQ:
			fz_sync(c);
			fz_service_irq();
			fz_sync(c);
			break;
		case FZ_OP_REVOKE:
			fz_sync(c);
			fz_unbind();
			fz_sync(c);
			break;
		case FZ_OP_REBIND:
			if (!fz_reg)
				fz_bind();
			break;
		case FZ_OP_BIG:
			fz_op_big(c, &in);
			break;
		case FZ_OP_EMPTY:
			fz_send_packet(c, fz_sbuf, 0);
			break;
		}
	}

	/* Still serving: everything answered, and one more request. */
	hdr = (struct gpsock_hdr){ .op = GPSOCK_POLL };
	fz_send_packet(c, (const void *)&hdr, sizeof(hdr));
	fz_sync(c);
	fz_assert(!c->closed, "the server ended the connection");
	close(c->fd);
	free(c);

	/* Each input starts on a freshly bound device, with no flush in flight. */
	fz_unbind();
	fz_bind();
	return 0;
}
