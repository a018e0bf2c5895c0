// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The socket transport's wire protocol against malformed input: every
 * case is sent as raw packets over a real AF_UNIX SOCK_SEQPACKET
 * connection to the production server (gp_socket_new()/gp_socket_start()
 * on a temporary path, the fake driver behind it).  Each test asserts the
 * exact reply, then that the same connection and a second client that was
 * connected all along still complete a GET_CAP.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_socket.h>

#include "fake_driver.h"
#include "file.h"
#include "registration.h"
#include "socket.h"
#include "check_run.h"

/* Long enough for a loaded machine; a reply that never comes fails the test. */
#define WIRE_TIMEOUT_MS 10000

/* Where the test pretends the caller's argument lives: the server never dereferences it. */
#define ARG 0x7f0000001000ull

static struct gp_registration *reg;
static struct gp_socket *sock;
static char dir[64], path[96];
static int fd_a = -1, fd_b = -1;

static struct gp_device *current_device(void *ctx)
{
	(void)ctx;
	return reg ? gp_device_get(gp_registration_device(reg)) : NULL;
}

/* One packet of the protocol, as received. */
struct reply {
	struct gpsock_hdr hdr;
	unsigned char data[GPSOCK_MSG_MAX];
	size_t len;		/* bytes after the header */
};

static int wire_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct gpsock_hdr hdr;
	struct pollfd pfd;
	int fd;

	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(fd, 0);
	strcpy(sun.sun_path, path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, WIRE_TIMEOUT_MS), 1);
	ck_assert_int_eq(recv(fd, &hdr, sizeof(hdr), 0), (ssize_t)sizeof(hdr));
	ck_assert_uint_eq(hdr.op, GPSOCK_OPENED);
	ck_assert_int_eq(hdr.value, 0);
	return fd;
}

static void setup(void)
{
	struct gp_socket_config cfg = {
		.node = GP_NODE_RENDER, .current_device = current_device,
	};

	fake_driver_reset();
	reg = fake_bind();
	snprintf(dir, sizeof(dir), "/tmp/gp-wire-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/gpu-proto.sock", dir);
	cfg.path = path;
	ck_assert_int_eq(gp_socket_new(&cfg, &sock), 0);
	ck_assert_int_eq(gp_socket_start(sock), 0);
	fd_a = wire_connect();
	fd_b = wire_connect();
}

static void teardown(void)
{
	if (fd_a >= 0)
		close(fd_a);
	if (fd_b >= 0)
		close(fd_b);
	fd_a = fd_b = -1;
	gp_socket_free(&sock);
	gp_registration_free(&reg);
	rmdir(dir);
}

static void wire_send(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void wire_send_hdr(int fd, uint32_t op, uint32_t flags, int64_t value)
{
	struct gpsock_hdr hdr = { .op = op, .flags = flags, .value = value };

	wire_send(fd, &hdr, sizeof(hdr));
}

/* An IOCTL request with @in_len bytes of @in after it. */
static void wire_ioctl(int fd, unsigned int cmd, uint64_t arg, const void *in, uint32_t in_len,
		       uint32_t out_len)
{
	static unsigned char buf[GPSOCK_MSG_MAX];
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .arg = arg, .cmd = cmd, .in_len = in_len, .out_len = out_len,
	};

	memcpy(buf, &req, sizeof(req));
	if (in_len)
		memcpy(buf + sizeof(req), in, in_len);
	wire_send(fd, buf, sizeof(req) + in_len);
}

/* The next reply (WAKEs skipped); fails the test if none comes. */
static void wire_recv(int fd, struct reply *r)
{
	static unsigned char buf[GPSOCK_MSG_MAX + 1];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	do {
		ck_assert_msg(poll(&pfd, 1, WIRE_TIMEOUT_MS) == 1, "no reply");
		n = recv(fd, buf, sizeof(buf), 0);
		ck_assert_int_ge(n, (ssize_t)sizeof(r->hdr));
		ck_assert_int_le(n, (ssize_t)GPSOCK_MSG_MAX);
		memcpy(&r->hdr, buf, sizeof(r->hdr));
	} while (r->hdr.op == GPSOCK_WAKE);
	r->len = (size_t)n - sizeof(r->hdr);
	memcpy(r->data, buf + sizeof(r->hdr), r->len);
}

static void expect_err(int fd, int err)
{
	static struct reply r;

	wire_recv(fd, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_ERR);
	ck_assert_int_eq(r.hdr.value, err);
	ck_assert_uint_eq(r.len, 0);
}

/* A RETRY naming exactly the argument struct of @size in and out. */
static void expect_retry_for_struct(int fd, uint32_t size)
{
	static struct reply r;
	struct gpsock_range ranges[2];

	wire_recv(fd, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_RETRY);
	ck_assert_int_eq(r.hdr.value, 2);
	ck_assert_uint_eq(r.len, sizeof(ranges));
	memcpy(ranges, r.data, sizeof(ranges));
	ck_assert_uint_eq(ranges[0].addr, ARG);
	ck_assert_uint_eq(ranges[0].len, size);
	ck_assert_uint_eq(ranges[0].dir, GPSOCK_DIR_IN);
	ck_assert_uint_eq(ranges[1].addr, ARG);
	ck_assert_uint_eq(ranges[1].len, size);
	ck_assert_uint_eq(ranges[1].dir, GPSOCK_DIR_OUT);
}

/* A well-formed GET_CAP, round by round, as libgpuproto does it. */
static void get_cap_works(int fd)
{
	static struct reply r;
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };

	wire_ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, ARG, NULL, 0, 0);
	expect_retry_for_struct(fd, sizeof(cap));
	wire_ioctl(fd, GPU_PROTO_IOCTL_GET_CAP, ARG, &cap, sizeof(cap), sizeof(cap));
	wire_recv(fd, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, 0);
	ck_assert_uint_eq(r.len, sizeof(cap));
	memcpy(&cap, r.data, sizeof(cap));
	ck_assert_uint_eq(cap.value, 1);
}

/* The connection that misbehaved, and the bystander, both still served. */
static void both_still_work(void)
{
	get_cap_works(fd_a);
	get_cap_works(fd_b);
}

/* --- framing --- */

START_TEST(header_shorter_than_gpsock_hdr_is_emsgsize)
{
	unsigned char junk[sizeof(struct gpsock_hdr)];

	setup();
	memset(junk, GPSOCK_IOCTL, sizeof(junk));
	for (size_t len = 1; len < sizeof(struct gpsock_hdr); len++) {
		wire_send(fd_a, junk, len);
		expect_err(fd_a, EMSGSIZE);
	}
	both_still_work();
	teardown();
}
END_TEST

START_TEST(empty_packet_is_emsgsize_not_a_hangup)
{
	setup();
	wire_send(fd_a, "", 0);
	expect_err(fd_a, EMSGSIZE);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(message_larger_than_msg_max_is_emsgsize)
{
	static unsigned char big[GPSOCK_MSG_MAX + 4096];
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .arg = ARG, .cmd = GPU_PROTO_IOCTL_GET_CAP,
		.in_len = GPSOCK_MAX_XFER + 1,
	};

	setup();
	memcpy(big, &req, sizeof(req));
	wire_send(fd_a, big, GPSOCK_MSG_MAX + 1);
	expect_err(fd_a, EMSGSIZE);
	wire_send(fd_a, big, sizeof(big));
	expect_err(fd_a, EMSGSIZE);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(largest_message_is_accepted)
{
	static unsigned char in[GPSOCK_MAX_XFER];

	setup();
	/* All of it IN bytes: more than GET_CAP needs, which is not an error. */
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, in, sizeof(in), 0);
	/* No room for the output yet: asked again. */
	expect_retry_for_struct(fd_a, sizeof(struct gpu_proto_get_cap));
	both_still_work();
	teardown();
}
END_TEST

START_TEST(unknown_op_is_eproto)
{
	static const uint32_t ops[] = {
		0, GPSOCK_OPENED, 6, GPSOCK_RETRY, GPSOCK_DONE, GPSOCK_DATA, GPSOCK_ERR,
		GPSOCK_MASK, GPSOCK_WAKE, 0x80000000u, 0xffffffffu,
	};

	setup();
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		wire_send_hdr(fd_a, ops[i], 0, 0);
		expect_err(fd_a, EPROTO);
	}
	both_still_work();
	teardown();
}
END_TEST

/* --- IOCTL --- */

START_TEST(ioctl_shorter_than_its_request_is_eproto)
{
	struct gpsock_ioctl req = { .hdr.op = GPSOCK_IOCTL, .cmd = GPU_PROTO_IOCTL_GET_CAP };

	setup();
	for (size_t len = sizeof(struct gpsock_hdr); len < sizeof(req); len += 4) {
		wire_send(fd_a, &req, len);
		expect_err(fd_a, EPROTO);
	}
	both_still_work();
	teardown();
}
END_TEST

START_TEST(ioctl_in_len_not_matching_the_packet_is_eproto)
{
	unsigned char buf[sizeof(struct gpsock_ioctl) + 16] = { 0 };
	struct gpsock_ioctl req = {
		.hdr.op = GPSOCK_IOCTL, .arg = ARG, .cmd = GPU_PROTO_IOCTL_GET_CAP,
	};
	static const uint32_t lies[] = { 8, 15, 17, 0xffffffffu };

	setup();
	/* in_len promises bytes the packet does not carry, or fewer than it does. */
	for (size_t i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
		req.in_len = lies[i];
		memcpy(buf, &req, sizeof(req));
		wire_send(fd_a, buf, sizeof(buf));
		expect_err(fd_a, EPROTO);
	}
	req.in_len = 16;
	wire_send(fd_a, &req, sizeof(req));
	expect_err(fd_a, EPROTO);
	req.in_len = 0;
	memcpy(buf, &req, sizeof(req));
	wire_send(fd_a, buf, sizeof(buf));
	expect_err(fd_a, EPROTO);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(ioctl_out_len_above_max_xfer_is_eproto)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	static struct reply r;

	setup();
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, &cap, sizeof(cap), GPSOCK_MAX_XFER + 1);
	expect_err(fd_a, EPROTO);
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, &cap, sizeof(cap), 0xffffffffu);
	expect_err(fd_a, EPROTO);
	/* The limit itself is room enough: DONE with only the planned bytes. */
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, &cap, sizeof(cap), GPSOCK_MAX_XFER);
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, 0);
	ck_assert_uint_eq(r.len, sizeof(cap));
	both_still_work();
	teardown();
}
END_TEST

/* --- RETRY answers that do not match what was asked --- */

START_TEST(retry_answer_with_too_few_bytes_is_asked_again)
{
	struct fake_echo e = { .in = 41 };

	setup();
	wire_ioctl(fd_a, FAKE_IOCTL_ECHO, ARG, NULL, 0, 0);
	expect_retry_for_struct(fd_a, sizeof(e));
	/*
	 * Half the struct: the server keeps no state between rounds, so this
	 * is a round that has less than the plan needs, answered as every
	 * such round is: the same RETRY, and nothing has run.
	 */
	wire_ioctl(fd_a, FAKE_IOCTL_ECHO, ARG, &e, sizeof(e) / 2, sizeof(e));
	expect_retry_for_struct(fd_a, sizeof(e));
	/* Room for less output than the plan writes: the same. */
	wire_ioctl(fd_a, FAKE_IOCTL_ECHO, ARG, &e, sizeof(e), sizeof(e) - 1);
	expect_retry_for_struct(fd_a, sizeof(e));
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(retry_answer_with_too_many_bytes_uses_the_planned_ones)
{
	unsigned char in[sizeof(struct fake_echo) + 24];
	struct fake_echo e = { .in = 41 };
	static struct reply r;

	setup();
	memset(in, 0xee, sizeof(in));
	memcpy(in, &e, sizeof(e));
	/* Bytes are found by position: the surplus after the plan is never read. */
	wire_ioctl(fd_a, FAKE_IOCTL_ECHO, ARG, in, sizeof(in), sizeof(in));
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, 0);
	/* Only the planned output, never the room the client offered. */
	ck_assert_uint_eq(r.len, sizeof(e));
	memcpy(&e, r.data, sizeof(e));
	ck_assert_uint_eq(e.in, 41);
	ck_assert_uint_eq(e.out, 42);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(handler_copy_outside_the_plan_is_efault_for_the_ioctl)
{
	struct fake_follow f = { .ptr = ARG + 0x1000, .len = 8 };
	static struct reply r;

	setup();
	/* Round 3 of a pointer-following ioctl: struct, then the followed buffer. */
	wire_ioctl(fd_a, FAKE_IOCTL_STRAY, ARG, &f, sizeof(f), sizeof(f) + f.len);
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, -EFAULT);
	ck_assert_uint_eq(r.len, sizeof(f) + f.len);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(ranges_pointing_anywhere_are_only_numbers)
{
	/* A followed pointer at 0 or the top of the address space: the server never dereferences. */
	static const uint64_t ptrs[] = { 0, 1, 0xfffffffffffff000ull, 0xffffffffffffffffull };
	static struct reply r;

	setup();
	for (size_t i = 0; i < sizeof(ptrs) / sizeof(ptrs[0]); i++) {
		struct fake_follow f = { .ptr = ptrs[i], .len = 8 };

		wire_ioctl(fd_a, FAKE_IOCTL_FOLLOW, ARG, &f, sizeof(f), sizeof(f) + f.len);
		wire_recv(fd_a, &r);
		ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
		ck_assert_int_eq(r.hdr.value, 0);
		ck_assert_uint_eq(r.len, sizeof(f) + f.len);
		ck_assert_int_eq(memcmp(r.data + sizeof(f), "ABCDEFGH", 8), 0);
	}
	both_still_work();
	teardown();
}
END_TEST

START_TEST(plan_beyond_the_limits_is_enomem_not_a_retry)
{
	struct fake_follow f = { .ptr = ARG + 0x1000, .len = GPSOCK_MAX_XFER + 1 };
	static struct reply r;

	setup();
	wire_ioctl(fd_a, FAKE_IOCTL_FOLLOW, ARG, &f, sizeof(f), sizeof(f));
	wire_recv(fd_a, &r);
	/* Refused before asking: a RETRY this large is one the client would refuse. */
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, -ENOMEM);
	ck_assert_int_eq(fake_record.handlers_entered, 0);
	both_still_work();
	teardown();
}
END_TEST

/* --- READ, CANCEL, POLL --- */

START_TEST(cancel_with_nothing_parked_has_no_reply)
{
	static struct reply r;

	setup();
	wire_send_hdr(fd_a, GPSOCK_CANCEL, 0, 0);
	wire_send_hdr(fd_a, GPSOCK_CANCEL, 0xffffffffu, -1);
	/* The next reply on the connection is the next request's. */
	wire_send_hdr(fd_a, GPSOCK_POLL, 0, 0);
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_MASK);
	ck_assert_int_eq(r.hdr.value, 0);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(cancel_of_a_parked_read_is_eintr)
{
	setup();
	wire_send_hdr(fd_a, GPSOCK_READ, 0, 4096);
	/* Parked: the connection goes on serving requests meanwhile. */
	get_cap_works(fd_a);
	wire_send_hdr(fd_a, GPSOCK_CANCEL, 0, 0);
	expect_err(fd_a, EINTR);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(read_with_negative_size_is_einval)
{
	static const int64_t sizes[] = { -1, -4096, INT64_MIN };

	setup();
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		wire_send_hdr(fd_a, GPSOCK_READ, 0, sizes[i]);
		expect_err(fd_a, EINVAL);
		wire_send_hdr(fd_a, GPSOCK_READ, GPSOCK_READ_NONBLOCK, sizes[i]);
		expect_err(fd_a, EINVAL);
	}
	/* Nothing was parked by them. */
	wire_send_hdr(fd_a, GPSOCK_CANCEL, 0, 0);
	wire_send_hdr(fd_a, GPSOCK_READ, GPSOCK_READ_NONBLOCK, 4096);
	expect_err(fd_a, EAGAIN);
	both_still_work();
	teardown();
}
END_TEST

START_TEST(unknown_flags_are_ignored)
{
	static struct reply r;

	setup();
	wire_send_hdr(fd_a, GPSOCK_POLL, 0xfffffffeu, 0);
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_MASK);
	wire_send_hdr(fd_a, GPSOCK_READ, 0xfffffffeu | GPSOCK_READ_NONBLOCK, 64);
	expect_err(fd_a, EAGAIN);
	both_still_work();
	teardown();
}
END_TEST

/* --- the device goes mid-sequence --- */

START_TEST(revoke_mid_sequence_answers_enodev)
{
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_TIMESTAMP_MONOTONIC };
	static struct reply r;

	setup();
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, NULL, 0, 0);
	expect_retry_for_struct(fd_a, sizeof(cap));
	wire_send_hdr(fd_b, GPSOCK_READ, 0, 4096);
	wire_send_hdr(fd_b, GPSOCK_POLL, GPSOCK_POLL_ARM, 0);
	wire_recv(fd_b, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_MASK);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	/* The parked read ends; the round the client was in answers ENODEV. */
	expect_err(fd_b, ENODEV);
	wire_ioctl(fd_a, GPU_PROTO_IOCTL_GET_CAP, ARG, &cap, sizeof(cap), sizeof(cap));
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_DONE);
	ck_assert_int_eq(r.hdr.value, -ENODEV);
	wire_send_hdr(fd_a, GPSOCK_POLL, 0, 0);
	wire_recv(fd_a, &r);
	ck_assert_uint_eq(r.hdr.op, GPSOCK_MASK);
	ck_assert_int_eq(r.hdr.value, POLLERR | POLLHUP);
	wire_send_hdr(fd_a, GPSOCK_READ, GPSOCK_READ_NONBLOCK, 64);
	expect_err(fd_a, ENODEV);
	/* Malformed input is still answered as such. */
	wire_send_hdr(fd_a, 99, 0, 0);
	expect_err(fd_a, EPROTO);
	teardown();
}
END_TEST

static Suite *socket_wire_suite(void)
{
	Suite *s = suite_create("socket-wire");
	TCase *framing = tcase_create("framing");
	TCase *ioctl = tcase_create("ioctl");
	TCase *retry = tcase_create("retry");
	TCase *events = tcase_create("read-poll-cancel");

	tcase_add_test(framing, header_shorter_than_gpsock_hdr_is_emsgsize);
	tcase_add_test(framing, empty_packet_is_emsgsize_not_a_hangup);
	tcase_add_test(framing, message_larger_than_msg_max_is_emsgsize);
	tcase_add_test(framing, largest_message_is_accepted);
	tcase_add_test(framing, unknown_op_is_eproto);
	suite_add_tcase(s, framing);

	tcase_add_test(ioctl, ioctl_shorter_than_its_request_is_eproto);
	tcase_add_test(ioctl, ioctl_in_len_not_matching_the_packet_is_eproto);
	tcase_add_test(ioctl, ioctl_out_len_above_max_xfer_is_eproto);
	suite_add_tcase(s, ioctl);

	tcase_add_test(retry, retry_answer_with_too_few_bytes_is_asked_again);
	tcase_add_test(retry, retry_answer_with_too_many_bytes_uses_the_planned_ones);
	tcase_add_test(retry, handler_copy_outside_the_plan_is_efault_for_the_ioctl);
	tcase_add_test(retry, ranges_pointing_anywhere_are_only_numbers);
	tcase_add_test(retry, plan_beyond_the_limits_is_enomem_not_a_retry);
	suite_add_tcase(s, retry);

	tcase_add_test(events, cancel_with_nothing_parked_has_no_reply);
	tcase_add_test(events, cancel_of_a_parked_read_is_eintr);
	tcase_add_test(events, read_with_negative_size_is_einval);
	tcase_add_test(events, unknown_flags_are_ignored);
	tcase_add_test(events, revoke_mid_sequence_answers_enodev);
	suite_add_tcase(s, events);
	return s;
}

int main(void)
{
	return gp_check_run(socket_wire_suite());
}
