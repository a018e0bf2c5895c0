// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Buffer memory for clients: FD_TOKEN (daemon/core/fdtoken.c) and the fd
 * socket (daemon/frontend/fdsock.c, the production server through
 * gp_fdsock_new/start over real AF_UNIX connections), on the fake driver's
 * objects (gem.c).  Tokens are minted through the in-process transport's
 * dispatcher (the same gp_ioctl() every transport runs); clients are this
 * test speaking the wire format by hand, libgpuproto (over its in-process
 * test seam and over the socket transport), and the LD_PRELOAD shim
 * reached with dlopen.
 *
 * Hostile clients: connections that never send, a client that never reads
 * its reply, more connections than the limits, malformed packets and fds;
 * what must hold is that other clients are served meanwhile, errors are the
 * documented ones, and no received fd stays open in the daemon.
 */
#define _GNU_SOURCE
#include <check.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>
#include <gpu-proto/gpu_proto_fdsock.h>
#include <gpuproto.h>
#include "gpuproto-private.h"

#include "check_run.h"
#include "fake_driver.h"
#include "fdsock.h"
#include "fdtoken.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "registration.h"
#include "socket.h"

/* A reply that never comes fails the test after this long; nothing times speed. */
#define WAIT_MS 10000
#define NO_NODE "/nonexistent-gp-test/gpu-proto"
#define BO_SIZE (3 * 4096)

/* The wire format docs/uapi.md states. */
_Static_assert(sizeof(struct gpfd_request) == 40, "gpfd_request is 40 bytes");
_Static_assert(sizeof(struct gpfd_reply) == 32, "gpfd_reply is 32 bytes");
_Static_assert(sizeof(struct gpu_proto_fd_token) == 56, "gpu_proto_fd_token is 56 bytes");

static struct gp_registration *reg;
static struct gp_fdsock *fds;
static struct gp_inproc_caller *caller;
static struct gp_file *file_a, *file_b;
static char dir[64], fd_path[128], sock_path[128];
static struct gp_fdsock_config fds_cfg;

static struct gp_caller self_caller(void)
{
	return (struct gp_caller){
		.uid = getuid(), .gid = getgid(), .pid = getpid(), .pidfd = -1,
	};
}

static struct gp_file *open_file(void)
{
	struct gp_caller who = self_caller();
	struct gp_file *f;

	ck_assert_int_eq(gp_file_open(gp_registration_device(reg), &who, GP_NODE_RENDER, &f), 0);
	return f;
}

static void start_fdsock(void)
{
	fds_cfg.path = fd_path;
	fds_cfg.perm = (struct gp_node_perm){ .uid = getuid(), .gid = getgid(), .mode = 0600 };
	ck_assert_int_eq(gp_fdsock_new(&fds_cfg, &fds), 0);
	ck_assert_int_eq(gp_fdsock_start(fds), 0);
}

static void setup(void)
{
	fake_driver_reset();
	reg = fake_bind();
	snprintf(dir, sizeof(dir), "/tmp/gp-fdpass-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fd_path, sizeof(fd_path), "%s/gpu-proto.fd.sock", dir);
	snprintf(sock_path, sizeof(sock_path), "%s/gpu-proto.sock", dir);
	memset(&fds_cfg, 0, sizeof(fds_cfg));
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &caller), 0);
	file_a = open_file();
	file_b = open_file();
	gp_fd_tokens_set_ttl_ms(0);
}

static void teardown(void)
{
	gp_fdsock_free(&fds);
	gp_fd_tokens_clear();
	gp_file_close(&file_a);
	gp_file_close(&file_b);
	gp_inproc_caller_free(&caller);
	gp_registration_free(&reg);
	unlink(fd_path);
	unlink(sock_path);
	rmdir(dir);
}

/* --- the daemon side: ioctls through the dispatcher ---------------------- */

static int do_ioctl(struct gp_file *f, unsigned int cmd, void *arg)
{
	int r;

	ck_assert_int_eq(gp_inproc_caller_map(caller, arg, _IOC_SIZE(cmd), GP_USER_IN | GP_USER_OUT), 0);
	r = gp_inproc_ioctl(caller, f, cmd, (uint64_t)(uintptr_t)arg);
	ck_assert_int_eq(gp_inproc_caller_unmap(caller, arg), 0);
	return r;
}

static uint32_t bo_create(struct gp_file *f, uint64_t size, uint64_t *offset)
{
	struct fake_bo_create bo = { .size = size };

	ck_assert_int_eq(do_ioctl(f, FAKE_IOCTL_BO_CREATE, &bo), 0);
	ck_assert_uint_ne(bo.handle, 0);
	if (offset)
		*offset = bo.offset;
	return bo.handle;
}

static int mint(struct gp_file *f, uint32_t op, uint32_t handle, uint64_t offset,
		struct gpu_proto_fd_token *t)
{
	*t = (struct gpu_proto_fd_token){ .op = op, .handle = handle, .offset = offset };
	return do_ioctl(f, GPU_PROTO_IOCTL_FD_TOKEN, t);
}

/* --- the client side: the wire format by hand ----------------------------- */

static int fd_connect(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(s, 0);
	strcpy(sun.sun_path, fd_path);
	ck_assert_int_eq(connect(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return s;
}

/* Send @len bytes of @buf with @nfds fds attached. */
static void fd_send(int s, const void *buf, size_t len, const int *fdv, unsigned int nfds)
{
	union {
		char buf[CMSG_SPACE(16 * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	ck_assert_uint_le(nfds, 16);
	memset(&ctl, 0, sizeof(ctl));
	if (nfds) {
		msg.msg_control = ctl.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fdv, nfds * sizeof(int));
	}
	ck_assert_int_eq(sendmsg(s, &msg, MSG_NOSIGNAL), (ssize_t)len);
}

/* Receive the reply: its error (positive errno or 0); *@fd gets a passed fd or -1. */
static int fd_recv(int s, struct gpfd_reply *reply, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = reply, .iov_len = sizeof(*reply) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct pollfd p = { .fd = s, .events = POLLIN };
	struct cmsghdr *cm;
	ssize_t n;

	*fd = -1;
	ck_assert_int_eq(poll(&p, 1, WAIT_MS), 1);
	memset(reply, 0, sizeof(*reply));
	n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	/*
	 * A daemon that refuses and closes may leave ECONNRESET pending on our
	 * socket (the kernel reports it before queued data, once): the reply
	 * is still there to read, as libgpuproto reads it.
	 */
	if (n < 0 && errno == ECONNRESET)
		n = recvmsg(s, &msg, MSG_CMSG_CLOEXEC);
	ck_assert_msg(n == (ssize_t)sizeof(*reply), "recvmsg: %zd (%s)", n, n < 0 ? strerror(errno) : "");
	cm = CMSG_FIRSTHDR(&msg);
	if (cm) {
		ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
		ck_assert_uint_eq(cm->cmsg_len, CMSG_LEN(sizeof(int)));
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	return reply->error;
}

/* One exchange: connect, request (@send_fd >= 0 attached), reply. */
static int redeem(uint32_t op, const uint8_t *token, int send_fd, struct gpfd_reply *reply,
		  int *fd)
{
	struct gpfd_request req = { .magic = GPFD_MAGIC, .op = op };
	struct gpfd_reply dummy;
	int dummy_fd, s, r;

	memcpy(req.token, token, sizeof(req.token));
	s = fd_connect();
	fd_send(s, &req, sizeof(req), &send_fd, send_fd >= 0);
	r = fd_recv(s, reply ? reply : &dummy, fd ? fd : &dummy_fd);
	if (!fd && dummy_fd >= 0)
		close(dummy_fd);
	close(s);
	return r;
}

/* A memfd for @handle of @f: mint EXPORT, redeem. */
static int export_memfd(struct gp_file *f, uint32_t handle, struct gpfd_reply *reply)
{
	struct gpu_proto_fd_token t;
	int memfd = -1;

	ck_assert_int_eq(mint(f, GPU_PROTO_FD_TOKEN_EXPORT, handle, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, reply, &memfd), 0);
	ck_assert_int_ge(memfd, 0);
	return memfd;
}

static uint32_t import_memfd(struct gp_file *f, int memfd)
{
	struct gpu_proto_fd_token t;
	struct gpfd_reply reply;

	ck_assert_int_eq(mint(f, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, t.token, memfd, &reply, NULL), 0);
	ck_assert_uint_ne(reply.handle, 0);
	return reply.handle;
}

static unsigned int open_fd_count_now(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/*
 * Descriptors open in this process (client and daemon side), once the fd
 * socket's thread has closed the connections it just answered (it closes
 * each right after its reply): waits for the count to reach @want.
 */
static unsigned int open_fd_count_settled(unsigned int want)
{
	unsigned int n = open_fd_count_now();

	for (int i = 0; i < WAIT_MS / 10 && n != want; i++) {
		usleep(10 * 1000);
		n = open_fd_count_now();
	}
	return n;
}

/* Has every copy of a pipe's write end been closed?  Its read end then reads EOF. */
static bool pipe_writers_gone(int rd)
{
	struct pollfd p = { .fd = rd, .events = POLLIN };
	char c;

	if (poll(&p, 1, WAIT_MS) != 1)
		return false;
	return read(rd, &c, 1) == 0;
}

/* --- FD_TOKEN: minting ---------------------------------------------------- */

START_TEST(test_mint_rejects_bad_requests)
{
	struct gpu_proto_fd_token t;
	uint64_t off;
	uint32_t h;

	h = bo_create(file_a, BO_SIZE, &off);
	ck_assert_int_eq(mint(file_a, 0, h, 0, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, 3, h, 0, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, h, 0, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, 0, off, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, off, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h + 1, 0, &t), -ENOENT);
	/* An offset in no object (panthor's USER_MMIO page is one such): EINVAL. */
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, 0, 1ull << 56, &t), -EINVAL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, 0, off + BO_SIZE, &t), -EINVAL);
	ck_assert_uint_eq(gp_fd_tokens_outstanding(), 0);
}
END_TEST

START_TEST(test_mint_by_offset_names_the_object)
{
	struct gpu_proto_fd_token t;
	uint64_t off;
	uint32_t h;

	h = bo_create(file_a, BO_SIZE, &off);
	(void)h;
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, 0, off + 4096, &t), 0);
	ck_assert_uint_eq(t.offset, off);
	ck_assert_uint_eq(t.size, BO_SIZE);
	ck_assert_uint_eq(gp_fd_tokens_outstanding(), 1);
}
END_TEST

START_TEST(test_handles_of_another_file)
{
	struct gpu_proto_fd_token t;
	uint64_t off;
	uint32_t h;

	h = bo_create(file_a, BO_SIZE, &off);
	/* file_b has no handle h, and holds no handle on A's object at its offset. */
	ck_assert_int_eq(mint(file_b, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), -ENOENT);
	ck_assert_int_eq(mint(file_b, GPU_PROTO_FD_TOKEN_EXPORT, 0, off, &t), -EINVAL);
}
END_TEST

START_TEST(test_tokens_per_file_are_bounded)
{
	struct gpu_proto_fd_token t;
	uint32_t h = bo_create(file_a, 4096, NULL);

	for (unsigned int i = 0; i < GP_FD_TOKEN_MAX_PER_FILE; i++)
		ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), -ENOSPC);
	/* Another file has its own allowance. */
	ck_assert_int_eq(mint(file_b, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
}
END_TEST

START_TEST(test_tokens_are_random)
{
	struct gpu_proto_fd_token t1, t2;
	static const uint8_t zero[32];
	uint32_t h = bo_create(file_a, 4096, NULL);

	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t1), 0);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t2), 0);
	ck_assert_int_ne(memcmp(t1.token, t2.token, 32), 0);
	ck_assert_int_ne(memcmp(t1.token, zero, 32), 0);
}
END_TEST

/* --- redeeming ------------------------------------------------------------ */

START_TEST(test_export_map_round_trip)
{
	struct gp_gem_object *obj;
	struct gpfd_reply reply;
	uint64_t off;
	unsigned char *p;
	uint32_t h;
	int memfd;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, &off);
	memfd = export_memfd(file_a, h, &reply);
	ck_assert_uint_eq(reply.op, GPU_PROTO_FD_TOKEN_EXPORT);
	ck_assert_uint_eq(reply.size, BO_SIZE);
	ck_assert_uint_eq(reply.offset, off);
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	close(memfd);
	memset(p, 0x5a, BO_SIZE);
	p[BO_SIZE - 1] = 0xa5;

	/* The daemon's own mapping (what drivers and DMA use) is the same memory. */
	obj = gp_gem_object_lookup(file_a, h);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(((unsigned char *)obj->vaddr)[0], 0x5a);
	ck_assert_uint_eq(((unsigned char *)obj->vaddr)[BO_SIZE - 1], 0xa5);
	((unsigned char *)obj->vaddr)[1] = 0x11;
	ck_assert_uint_eq(p[1], 0x11);
	gp_gem_object_put(&obj);
	ck_assert_int_eq(munmap(p, BO_SIZE), 0);
	ck_assert_uint_eq(gp_fd_tokens_outstanding(), 0);
}
END_TEST

START_TEST(test_export_by_offset)
{
	struct gpu_proto_fd_token t;
	struct gpfd_reply reply;
	uint64_t off;
	int memfd;

	start_fdsock();
	bo_create(file_a, BO_SIZE, &off);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, 0, off + 8192, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, &reply, &memfd), 0);
	ck_assert_uint_eq(reply.offset, off);
	ck_assert_uint_eq(reply.size, BO_SIZE);
	ck_assert_int_ge(memfd, 0);
	close(memfd);
}
END_TEST

START_TEST(test_prime_between_two_files)
{
	unsigned char *pa, *pb;
	struct gp_gem_object *oa, *ob;
	uint32_t ha, hb, hb2;
	int fa, fb;

	start_fdsock();
	ha = bo_create(file_a, BO_SIZE, NULL);
	fa = export_memfd(file_a, ha, NULL);
	hb = import_memfd(file_b, fa);
	/* Importing twice gives the same handle, as drm_prime. */
	hb2 = import_memfd(file_b, fa);
	ck_assert_uint_eq(hb, hb2);
	/* Importing into the owner gives its own handle back. */
	ck_assert_uint_eq(import_memfd(file_a, fa), ha);

	oa = gp_gem_object_lookup(file_a, ha);
	ob = gp_gem_object_lookup(file_b, hb);
	ck_assert_ptr_eq(oa, ob);
	gp_gem_object_put(&oa);
	gp_gem_object_put(&ob);

	fb = export_memfd(file_b, hb, NULL);
	pa = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fa, 0);
	pb = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, fb, 0);
	ck_assert_ptr_ne(pa, MAP_FAILED);
	ck_assert_ptr_ne(pb, MAP_FAILED);
	for (unsigned int i = 0; i < BO_SIZE; i++)
		pa[i] = (unsigned char)(i * 7);
	for (unsigned int i = 0; i < BO_SIZE; i++)
		ck_assert_uint_eq(pb[i], (unsigned char)(i * 7));
	munmap(pa, BO_SIZE);
	munmap(pb, BO_SIZE);
	close(fa);
	close(fb);

	/* B's handle holds the object after A lets go of it. */
	ck_assert_int_eq(gp_gem_handle_delete(file_a, ha), 0);
	ob = gp_gem_object_lookup(file_b, hb);
	ck_assert_ptr_nonnull(ob);
	gp_gem_object_put(&ob);
}
END_TEST

START_TEST(test_another_process_cannot_redeem)
{
	struct gpu_proto_fd_token t;
	int status, memfd;
	uint32_t h;
	pid_t pid;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* The child knows the token, holds every fd the parent had: not enough. */
		struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_EXPORT };
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		struct gpfd_reply reply = { 0 };
		int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);

		memcpy(req.token, t.token, 32);
		strcpy(sun.sun_path, fd_path);
		if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
		    send(s, &req, sizeof(req), MSG_NOSIGNAL) != sizeof(req) ||
		    recv(s, &reply, sizeof(reply), 0) != sizeof(reply))
			_exit(100);
		_exit(reply.error);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), EACCES);
	/* The attempt consumed it: the rightful process is refused too. */
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), EACCES);
	ck_assert_int_eq(memfd, -1);
}
END_TEST

START_TEST(test_token_is_single_use)
{
	struct gpu_proto_fd_token t;
	int memfd;
	uint32_t h;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), 0);
	close(memfd);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), EACCES);
	ck_assert_int_eq(memfd, -1);
}
END_TEST

START_TEST(test_unknown_token)
{
	uint8_t token[32];
	int memfd;

	start_fdsock();
	memset(token, 0x42, sizeof(token));
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, token, -1, NULL, &memfd), EACCES);
}
END_TEST

START_TEST(test_token_expires)
{
	struct gpu_proto_fd_token t;
	int memfd;
	uint32_t h;

	start_fdsock();
	gp_fd_tokens_set_ttl_ms(100);
	h = bo_create(file_a, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	usleep(300 * 1000);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), ETIMEDOUT);
	ck_assert_int_eq(memfd, -1);
	/* Expired tokens are swept (with the references they hold) without any redeeming. */
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	for (int i = 0; i < 100 && gp_fd_tokens_outstanding(); i++)
		usleep(50 * 1000);
	ck_assert_uint_eq(gp_fd_tokens_outstanding(), 0);
}
END_TEST

START_TEST(test_wrong_op_consumes_token)
{
	struct gpu_proto_fd_token t;
	int memfd, other;
	uint32_t h;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	other = export_memfd(file_a, h, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, t.token, other, NULL, NULL), EACCES);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), EACCES);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), EACCES);
	ck_assert_int_eq(memfd, -1);
	close(other);
}
END_TEST

START_TEST(test_foreign_fd_import)
{
	struct gpu_proto_fd_token t;
	int mfd, pfd[2];

	start_fdsock();
	/* A memfd the device never made, then a pipe: neither is an object (EINVAL). */
	mfd = memfd_create("not-a-bo", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	ck_assert_int_ge(mfd, 0);
	ck_assert_int_eq(ftruncate(mfd, 4096), 0);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, t.token, mfd, NULL, NULL), EINVAL);
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, t.token, pfd[1], NULL, NULL), EINVAL);
	/* The daemon closed its copy of the pipe's write end. */
	close(pfd[1]);
	ck_assert(pipe_writers_gone(pfd[0]));
	close(pfd[0]);
	close(mfd);
}
END_TEST

START_TEST(test_import_of_another_devices_object)
{
	struct gp_registration *reg2 = fake_bind();
	struct gp_caller who = self_caller();
	struct gp_file *other;
	struct fake_bo_create bo = { .size = 4096 };
	struct gpu_proto_fd_token t;
	int memfd;

	start_fdsock();
	ck_assert_int_eq(gp_file_open(gp_registration_device(reg2), &who, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(do_ioctl(other, FAKE_IOCTL_BO_CREATE, &bo), 0);
	memfd = export_memfd(other, bo.handle, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &t), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, t.token, memfd, NULL, NULL), EINVAL);
	close(memfd);
	gp_file_close(&other);
	gp_registration_free(&reg2);
}
END_TEST

START_TEST(test_export_after_handle_closed)
{
	struct gpu_proto_fd_token t;
	struct gpu_proto_gem_close gc;
	int memfd;
	uint32_t h;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	gc = (struct gpu_proto_gem_close){ .handle = h };
	ck_assert_int_eq(do_ioctl(file_a, GPU_PROTO_IOCTL_GEM_CLOSE, &gc), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), ENOENT);
	ck_assert_int_eq(memfd, -1);

	/* A closed file's token exports nothing either. */
	h = bo_create(file_b, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_b, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	gp_file_close(&file_b);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), ENOENT);
}
END_TEST

START_TEST(test_revoke_with_tokens_pending)
{
	struct gpu_proto_fd_token te, ti;
	unsigned char *p;
	uint32_t h;
	int memfd, fd;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	memfd = export_memfd(file_a, h, NULL);
	p = mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &te), 0);
	ck_assert_int_eq(mint(file_b, GPU_PROTO_FD_TOKEN_IMPORT, 0, 0, &ti), 0);

	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, te.token, -1, NULL, &fd), ENODEV);
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_IMPORT, ti.token, memfd, NULL, NULL), ENODEV);
	/* No new tokens on an unplugged device. */
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &te), -ENODEV);
	/* System memory: the mapping outlives the device, as panthor's shmem mappings. */
	memset(p, 0x33, BO_SIZE);
	ck_assert_uint_eq(p[BO_SIZE - 1], 0x33);
	munmap(p, BO_SIZE);
	close(memfd);
}
END_TEST

/* --- malformed requests --------------------------------------------------- */

static int send_raw(const void *buf, size_t len, const int *fdv, unsigned int nfds)
{
	struct gpfd_reply reply;
	int s = fd_connect(), fd, r;

	fd_send(s, buf, len, fdv, nfds);
	r = fd_recv(s, &reply, &fd);
	ck_assert_int_eq(fd, -1);
	close(s);
	return r;
}

/*
 * Does recvmsg() close the descriptors that did not fit its control buffer,
 * as the kernel does (scm_detach_fds())?  qemu-user (the arm64 unit run)
 * leaves them open in the receiver, which no daemon can help; the MSG_CTRUNC
 * case asks first.
 */
static bool truncated_fds_are_closed(void)
{
	/* Room for one descriptor (CMSG_SPACE rounds that up to two on LP64); four are sent. */
	char data = 0, cbuf[CMSG_SPACE(sizeof(int))], sbuf[CMSG_SPACE(4 * sizeof(int))];
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int sv[2], pipe_fds[2], four[4];
	struct pollfd p = { .events = POLLIN };
	struct cmsghdr *c;
	bool closed = true;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return true;
	if (pipe2(pipe_fds, O_CLOEXEC) < 0)
		goto out_sv;
	for (unsigned int i = 0; i < 4; i++)
		four[i] = pipe_fds[1];
	msg.msg_control = sbuf;
	msg.msg_controllen = sizeof(sbuf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(four));
	memcpy(CMSG_DATA(c), four, sizeof(four));
	if (sendmsg(sv[0], &msg, 0) < 0) {
		close(pipe_fds[1]);
		goto out_pipe;
	}
	/* Only the copies in flight hold the pipe's write end now. */
	close(pipe_fds[1]);
	msg.msg_control = cbuf;
	msg.msg_controllen = sizeof(cbuf);
	if (recvmsg(sv[1], &msg, MSG_CMSG_CLOEXEC) >= 0)
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t k = 0; c->cmsg_type == SCM_RIGHTS && k < n; k++) {
				int fd;

				memcpy(&fd, CMSG_DATA(c) + k * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
	/* Every copy we were given is closed: the write end is gone unless one leaked. */
	p.fd = pipe_fds[0];
	closed = poll(&p, 1, 0) == 1 && (p.revents & POLLHUP);
out_pipe:
	close(pipe_fds[0]);
out_sv:
	close(sv[0]);
	close(sv[1]);
	return closed;
}

START_TEST(test_malformed_requests)
{
	struct gpu_proto_fd_token t;
	struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_EXPORT };
	unsigned char big[sizeof(req) + 8] = { 0 };
	int pfd[2], many[12], memfd;
	unsigned int before;
	uint32_t h;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
	memcpy(req.token, t.token, 32);
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	before = open_fd_count_now();

	ck_assert_int_eq(send_raw(&req, sizeof(req) - 1, NULL, 0), EMSGSIZE);
	memcpy(big, &req, sizeof(req));
	ck_assert_int_eq(send_raw(big, sizeof(big), NULL, 0), EMSGSIZE);
	ck_assert_int_eq(send_raw("", 0, NULL, 0), EMSGSIZE);
	req.magic ^= 1;
	ck_assert_int_eq(send_raw(&req, sizeof(req), NULL, 0), EPROTO);
	req.magic ^= 1;
	req.op = 7;
	ck_assert_int_eq(send_raw(&req, sizeof(req), NULL, 0), EINVAL);
	req.op = GPU_PROTO_FD_TOKEN_EXPORT;
	/* EXPORT with an fd; IMPORT without one, or with two. */
	ck_assert_int_eq(send_raw(&req, sizeof(req), &pfd[1], 1), EINVAL);
	req.op = GPU_PROTO_FD_TOKEN_IMPORT;
	ck_assert_int_eq(send_raw(&req, sizeof(req), NULL, 0), EINVAL);
	ck_assert_int_eq(send_raw(&req, sizeof(req), (int[]){ pfd[1], pfd[1] }, 2), EINVAL);
	/*
	 * More fds than the daemon takes (MSG_CTRUNC), then: every fd sent came
	 * back closed, the daemon keeps no copy.  Only where recvmsg() closes
	 * what did not fit, as the kernel does: under qemu-user the emulator
	 * itself leaks them, whatever the daemon does.
	 */
	if (truncated_fds_are_closed()) {
		for (unsigned int i = 0; i < 12; i++)
			many[i] = pfd[1];
		ck_assert_int_eq(send_raw(&req, sizeof(req), many, 12), EINVAL);
		ck_assert_uint_eq(open_fd_count_settled(before), before);
		close(pfd[1]);
		ck_assert(pipe_writers_gone(pfd[0]));
	} else {
		printf("SKIP: test_malformed_requests: more fds than fit, and no fd kept: recvmsg() "
		       "here keeps the ones that did not fit open (user-mode emulation?)\n");
		close(pfd[1]);
	}
	close(pfd[0]);

	/* Malformed requests did not consume the token; a well-formed one does. */
	ck_assert_int_eq(redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd), 0);
	close(memfd);
	ck_assert_uint_eq(gp_fd_tokens_outstanding(), 0);
}
END_TEST

/* --- hostile clients ------------------------------------------------------ */

START_TEST(test_silent_connections_do_not_block_others)
{
	struct gpfd_reply reply;
	int silent[20], memfd, fd;
	uint32_t h;

	fds_cfg.timeout_ms = 500;
	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	for (unsigned int i = 0; i < 20; i++)
		silent[i] = fd_connect();
	/* Served while twenty connections say nothing. */
	memfd = export_memfd(file_a, h, NULL);
	close(memfd);
	/* Each silent one is answered ETIMEDOUT and closed, in bounded time. */
	for (unsigned int i = 0; i < 20; i++) {
		ck_assert_int_eq(fd_recv(silent[i], &reply, &fd), ETIMEDOUT);
		ck_assert_int_eq(recv(silent[i], &reply, sizeof(reply), 0), 0);
		close(silent[i]);
	}
}
END_TEST

START_TEST(test_client_that_never_reads)
{
	struct gpu_proto_fd_token t;
	struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_EXPORT };
	struct gp_fdsock_stats st;
	int lazy[10], memfd;
	unsigned int before;
	uint32_t h;

	start_fdsock();
	h = bo_create(file_a, BO_SIZE, NULL);
	before = open_fd_count_now();
	for (unsigned int i = 0; i < 10; i++) {
		ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
		memcpy(req.token, t.token, 32);
		lazy[i] = fd_connect();
		fd_send(lazy[i], &req, sizeof(req), NULL, 0);
	}
	/* Their replies (with memfds) sit in their sockets; others are served. */
	memfd = export_memfd(file_a, h, NULL);
	close(memfd);
	for (int i = 0; i < WAIT_MS / 10; i++) {
		gp_fdsock_get_stats(fds, &st);
		if (st.exports == 11)
			break;
		usleep(10 * 1000);
	}
	ck_assert_uint_eq(st.exports, 11);
	for (unsigned int i = 0; i < 10; i++)
		close(lazy[i]);
	/* The daemon's side of each is closed: only what we opened ourselves is gone again. */
	ck_assert_uint_eq(open_fd_count_settled(before), before);
}
END_TEST

START_TEST(test_connection_limits)
{
	struct gpfd_reply reply;
	int conns[8], extra, fd;

	fds_cfg.max_connections = 8;
	fds_cfg.max_per_uid = 4;
	fds_cfg.timeout_ms = 30000;
	start_fdsock();
	for (unsigned int i = 0; i < 4; i++)
		conns[i] = fd_connect();
	/* The fifth of one uid is EMFILE, answered at once. */
	extra = fd_connect();
	ck_assert_int_eq(fd_recv(extra, &reply, &fd), EMFILE);
	close(extra);
	for (unsigned int i = 0; i < 4; i++)
		close(conns[i]);
	/* Closed connections free their slots (the daemon notices the hang-up). */
	for (int tries = 0; tries < 100; tries++) {
		struct gp_fdsock_stats st;
		uint32_t h = bo_create(file_a, 4096, NULL);
		int memfd = -1;
		struct gpu_proto_fd_token t;

		ck_assert_int_eq(mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t), 0);
		if (redeem(GPU_PROTO_FD_TOKEN_EXPORT, t.token, -1, NULL, &memfd) == 0) {
			close(memfd);
			gp_fdsock_get_stats(fds, &st);
			ck_assert_uint_ge(st.refused, 1);
			return;
		}
		usleep(10 * 1000);
	}
	ck_abort_msg("closed connections kept their slots");
}
END_TEST

START_TEST(test_total_connection_limit)
{
	struct gpfd_reply reply;
	int conns[4], extra, fd;

	fds_cfg.max_connections = 4;
	fds_cfg.max_per_uid = 100;
	fds_cfg.timeout_ms = 30000;
	start_fdsock();
	for (unsigned int i = 0; i < 4; i++)
		conns[i] = fd_connect();
	extra = fd_connect();
	ck_assert_int_eq(fd_recv(extra, &reply, &fd), ENFILE);
	close(extra);
	for (unsigned int i = 0; i < 4; i++)
		close(conns[i]);
}
END_TEST

/* Connect as uid/gid 65534 when root (root passes by CAP_DAC_OVERRIDE): the reply's error. */
static int connect_as_nobody(void)
{
	struct gpfd_reply reply;
	int status, s, fd;
	pid_t pid;

	if (getuid() != 0) {
		s = fd_connect();
		fd_recv(s, &reply, &fd);
		close(s);
		return reply.error;
	}
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };

		if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
			_exit(101);
		s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		strcpy(sun.sun_path, fd_path);
		if (s < 0 || connect(s, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			_exit(102);
		if (recv(s, &reply, sizeof(reply), 0) != sizeof(reply))
			_exit(103);
		_exit(reply.error);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(test_peer_permissions)
{
	/*
	 * The node's rule, checked by the daemon on top of the socket file's
	 * mode: a mode made too wide by mistake lets no one in whom the node
	 * would refuse.
	 */
	fds_cfg.perm = (struct gp_node_perm){ .uid = 12345, .gid = 12345, .mode = 0660 };
	fds_cfg.path = fd_path;
	fds_cfg.timeout_ms = 500;
	ck_assert_int_eq(gp_fdsock_new(&fds_cfg, &fds), 0);
	ck_assert_int_eq(gp_fdsock_start(fds), 0);
	ck_assert_int_eq(chmod(dir, 0755), 0);
	ck_assert_int_eq(chmod(fd_path, 0666), 0);
	ck_assert_int_eq(connect_as_nobody(), EACCES);
}
END_TEST

START_TEST(test_accept_out_of_descriptors_resumes)
{
	struct gpu_proto_fd_token t;
	struct rlimit old, tight;
	int ready[2], go[2], probe, memfd = -1, r = -1, status;
	uint32_t h;
	pid_t pid;
	char c;

	fds_cfg.timeout_ms = 30000;
	start_fdsock();
	h = bo_create(file_a, 4096, NULL);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		/* Another process (its own descriptor table) opens many connections. */
		int conns[32];

		for (unsigned int i = 0; i < 32; i++) {
			struct sockaddr_un sun = { .sun_family = AF_UNIX };

			conns[i] = socket(AF_UNIX, SOCK_SEQPACKET, 0);
			strcpy(sun.sun_path, fd_path);
			if (conns[i] < 0 || connect(conns[i], (struct sockaddr *)&sun, sizeof(sun)) < 0)
				_exit(1);
		}
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(0);	/* closes them all */
	}
	/* The daemon's table: room for a few descriptors only, so accept() fails with EMFILE. */
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &old), 0);
	probe = dup(0);
	ck_assert_int_ge(probe, 0);
	close(probe);
	tight = old;
	tight.rlim_cur = (rlim_t)probe + 5;
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &tight), 0);
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	usleep(300 * 1000);	/* the server meets EMFILE and pauses accepting */
	ck_assert_int_eq(write(go[1], "g", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	/* With the peers gone, the server accepts again and serves, still under the tight limit. */
	for (int i = 0; i < WAIT_MS / 20 && r != 0; i++) {
		struct gpfd_request req = { .magic = GPFD_MAGIC, .op = GPU_PROTO_FD_TOKEN_EXPORT };
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		struct gpfd_reply reply;
		int sk;

		usleep(20 * 1000);
		if (mint(file_a, GPU_PROTO_FD_TOKEN_EXPORT, h, 0, &t) != 0)
			continue;
		memcpy(req.token, t.token, 32);
		sk = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		strcpy(sun.sun_path, fd_path);
		if (sk < 0)
			continue;
		if (connect(sk, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
		    send(sk, &req, sizeof(req), MSG_NOSIGNAL) == sizeof(req) &&
		    fd_recv(sk, &reply, &memfd) == 0)
			r = 0;
		close(sk);
	}
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &old), 0);
	ck_assert_int_eq(r, 0);
	close(memfd);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

/* --- concurrency: redeeming while the device is revoked ------------------- */

struct racer {
	struct gp_file *file;
	uint32_t handle;
	atomic_int ok, nodev, other;
};

static int race_ioctl(struct gp_file *f, struct gp_inproc_caller *c, struct gpu_proto_fd_token *t)
{
	int r;

	if (gp_inproc_caller_map(c, t, sizeof(*t), GP_USER_IN | GP_USER_OUT) < 0)
		return -ENOMEM;
	r = gp_inproc_ioctl(c, f, GPU_PROTO_IOCTL_FD_TOKEN, (uint64_t)(uintptr_t)t);
	gp_inproc_caller_unmap(c, t);
	return r;
}

static void *racer_main(void *arg)
{
	struct racer *rc = arg;
	struct gp_inproc_caller *c;

	if (gp_inproc_caller_new(GP_INPROC_DIRECT, &c) < 0)
		return NULL;
	for (int i = 0; i < 200; i++) {
		struct gpu_proto_fd_token t = { .op = GPU_PROTO_FD_TOKEN_EXPORT, .handle = rc->handle };
		struct gp_fd_token_peer peer = { .pid = getpid(), .pidfd = -1 };
		struct gp_fd_token_result res;
		int r = race_ioctl(rc->file, c, &t);

		if (r == 0)
			r = gp_fd_token_redeem(t.token, t.op, &peer, -1, &res);
		if (r == 0) {
			gp_gem_object_put(&res.obj);
			atomic_fetch_add(&rc->ok, 1);
		} else if (r == -ENODEV) {
			atomic_fetch_add(&rc->nodev, 1);
		} else {
			atomic_fetch_add(&rc->other, 1);
		}
	}
	gp_inproc_caller_free(&c);
	return NULL;
}

START_TEST(test_redeem_races_revoke)
{
	struct racer rc[3] = { { .file = file_a }, { .file = file_a }, { .file = file_b } };
	pthread_t th[3];

	rc[0].handle = rc[1].handle = bo_create(file_a, 4096, NULL);
	rc[2].handle = bo_create(file_b, 4096, NULL);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&th[i], NULL, racer_main, &rc[i]), 0);
	usleep(2000);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(atomic_load(&rc[i].other), 0);
		ck_assert_int_eq(atomic_load(&rc[i].ok) + atomic_load(&rc[i].nodev), 200);
	}
}
END_TEST

/* --- libgpuproto: over its in-process seam and over the socket transport --- */

static int seam_ioctl(void *data, int fd, unsigned long request, void *arg)
{
	struct gp_file *f = data;
	int r;

	(void)fd;
	if (gp_inproc_caller_map(caller, arg, _IOC_SIZE(request), GP_USER_IN | GP_USER_OUT) < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = gp_inproc_ioctl(caller, f, (unsigned int)request, (uint64_t)(uintptr_t)arg);
	gp_inproc_caller_unmap(caller, arg);
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

static const struct gpc_sys_ops seam_ops = { .ioctl = seam_ioctl };

static struct gpc_device *seam_open(struct gp_file *f)
{
	struct gpc_device *dev;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(gpc_open_fd(fd, 0, &dev), 0);
	close(fd);
	gpc_private_set_sys_ops(dev, &seam_ops, f);
	return dev;
}

static uint32_t gpc_bo_create(struct gpc_device *dev, uint64_t size)
{
	struct fake_bo_create bo = { .size = size };

	ck_assert_int_eq(gpc_ioctl(dev, FAKE_IOCTL_BO_CREATE, &bo), 0);
	return bo.handle;
}

/* The library's calls between two devices (files): map, PRIME, close. */
static void library_scenario(struct gpc_device *a, struct gpc_device *b)
{
	unsigned char *pa, *pb, *pro;
	uint32_t ha, hb, hb2;
	uint64_t size;
	int fd, rofd, memfd;

	ha = gpc_bo_create(a, BO_SIZE);
	ck_assert_int_eq(gpc_bo_map(a, ha, PROT_READ | PROT_WRITE, (void **)&pa, &size), 0);
	ck_assert_uint_eq(size, BO_SIZE);
	memset(pa, 0x77, BO_SIZE);

	ck_assert_int_eq(gpc_bo_get_memfd(a, ha, &memfd, &size), 0);
	ck_assert_int_eq(fcntl(memfd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(memfd, F_GETFL) & O_ACCMODE, O_RDWR);
	close(memfd);

	/* PRIME: RDWR|CLOEXEC, then a read-only, inheritable export. */
	ck_assert_int_eq(gpc_prime_handle_to_fd(a, ha, GPU_PROTO_CLOEXEC | GPU_PROTO_RDWR, &fd), 0);
	ck_assert_int_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
	ck_assert_int_eq(gpc_prime_handle_to_fd(a, ha, 0, &rofd), 0);
	ck_assert_int_eq(fcntl(rofd, F_GETFD) & FD_CLOEXEC, 0);
	ck_assert_int_eq(fcntl(rofd, F_GETFL) & O_ACCMODE, O_RDONLY);
	ck_assert_ptr_eq(mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, rofd, 0), MAP_FAILED);
	ck_assert_int_eq(errno, EACCES);
	pro = mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, rofd, 0);
	ck_assert_ptr_ne(pro, MAP_FAILED);
	ck_assert_uint_eq(pro[17], 0x77);
	munmap(pro, BO_SIZE);
	ck_assert_int_eq(gpc_prime_handle_to_fd(a, ha, 0x4, &rofd), -EINVAL);

	/* Import into b, twice: one handle; b maps it; the same bytes. */
	ck_assert_int_eq(gpc_prime_fd_to_handle(b, fd, &hb), 0);
	ck_assert_int_eq(gpc_prime_fd_to_handle(b, fd, &hb2), 0);
	ck_assert_uint_eq(hb, hb2);
	ck_assert_int_eq(gpc_bo_map(b, hb, PROT_READ, (void **)&pb, NULL), 0);
	pa[5] = 0x99;
	ck_assert_uint_eq(pb[5], 0x99);
	ck_assert_uint_eq(pb[BO_SIZE - 1], 0x77);

	/* Errors the library adds or passes on. */
	ck_assert_int_eq(gpc_prime_fd_to_handle(b, -1, &hb2), -EBADF);
	memfd = memfd_create("foreign", MFD_CLOEXEC);
	ck_assert_int_eq(gpc_prime_fd_to_handle(b, memfd, &hb2), -EINVAL);
	close(memfd);
	ck_assert_int_eq(gpc_bo_map(b, hb + 100, PROT_READ, (void **)&pro, NULL), -ENOENT);
	ck_assert_int_eq(gpc_bo_map(b, hb, PROT_EXEC, (void **)&pro, NULL), -EINVAL);

	/* Handles close; mappings and fds outlive them. */
	ck_assert_int_eq(gpc_gem_close(a, ha), 0);
	ck_assert_int_eq(gpc_gem_close(a, ha), -EINVAL);
	ck_assert_int_eq(gpc_gem_close(b, hb), 0);
	pa[6] = 0x12;
	ck_assert_uint_eq(pb[6], 0x12);
	ck_assert_int_eq(gpc_bo_unmap(pa, BO_SIZE), 0);
	ck_assert_int_eq(gpc_bo_unmap(pb, BO_SIZE), 0);
	close(fd);
	close(rofd);
}

START_TEST(test_library_in_process)
{
	struct gpc_device *a, *b;

	start_fdsock();
	setenv("GPU_PROTO_FD_SOCKET", fd_path, 1);
	a = seam_open(file_a);
	b = seam_open(file_b);
	library_scenario(a, b);
	gpc_close(a);
	gpc_close(b);
}
END_TEST

static struct gp_device *current_device(void *ctx)
{
	(void)ctx;
	return reg ? gp_device_get(gp_registration_device(reg)) : NULL;
}

START_TEST(test_library_over_socket_transport)
{
	struct gp_socket_config scfg = {
		.path = sock_path, .node = GP_NODE_RENDER, .current_device = current_device,
		.perm = { .uid = getuid(), .gid = getgid(), .mode = 0600 },
	};
	struct gp_socket *sock;
	struct gpc_device *a, *b;

	start_fdsock();
	ck_assert_int_eq(gp_socket_new(&scfg, &sock), 0);
	ck_assert_int_eq(gp_socket_start(sock), 0);
	/* Only the socket transport's path: the fd socket's is derived from it. */
	setenv("GPU_PROTO_SOCKET", sock_path, 1);
	unsetenv("GPU_PROTO_FD_SOCKET");
	ck_assert_int_eq(gpc_open(NO_NODE, 0, &a), 0);
	ck_assert_int_eq(gpc_open(NO_NODE, 0, &b), 0);
	library_scenario(a, b);
	gpc_close(a);
	gpc_close(b);
	gp_socket_free(&sock);
}
END_TEST

START_TEST(test_library_without_fd_socket)
{
	struct gpc_device *a;
	uint32_t h;
	void *p;

	/* No fd socket listening: the connect error, nothing mapped. */
	setenv("GPU_PROTO_FD_SOCKET", fd_path, 1);
	a = seam_open(file_a);
	h = gpc_bo_create(a, 4096);
	ck_assert_int_eq(gpc_bo_map(a, h, PROT_READ, &p, NULL), -ENOENT);
	gpc_close(a);
}
END_TEST

/* --- the shim: mmap and PRIME of an unmodified client ---------------------- */

struct shim {
	void *h;
	int (*open)(const char *, int, ...);
	int (*ioctl)(int, unsigned long, ...);
	void *(*mmap)(void *, size_t, int, int, int, off_t);
	int (*close)(int);
};

static void shim_load(struct shim *s)
{
	s->h = dlopen(GP_TEST_SHIM, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(s->h, "%s", dlerror());
	s->open = (int (*)(const char *, int, ...))dlsym(s->h, "open");
	s->ioctl = (int (*)(int, unsigned long, ...))dlsym(s->h, "ioctl");
	s->mmap = (void *(*)(void *, size_t, int, int, int, off_t))dlsym(s->h, "mmap");
	s->close = (int (*)(int))dlsym(s->h, "close");
	ck_assert(s->open && s->ioctl && s->mmap && s->close);
	ck_assert_ptr_nonnull(dlsym(s->h, "mmap64"));
}

START_TEST(test_shim_mmap_and_prime)
{
	struct gp_socket_config scfg = {
		.path = sock_path, .node = GP_NODE_RENDER, .current_device = current_device,
		.perm = { .uid = getuid(), .gid = getgid(), .mode = 0600 },
	};
	struct fake_bo_create bo = { .size = BO_SIZE };
	struct gpu_proto_prime_handle ph;
	struct gp_socket *sock;
	struct shim s;
	unsigned char *pa, *pb;
	uint32_t hb;
	int a, b, mfd;
	void *p;

	start_fdsock();
	ck_assert_int_eq(gp_socket_new(&scfg, &sock), 0);
	ck_assert_int_eq(gp_socket_start(sock), 0);
	setenv("GPU_PROTO_DEVICE", NO_NODE, 1);
	setenv("GPU_PROTO_SOCKET", sock_path, 1);
	unsetenv("GPU_PROTO_FD_SOCKET");
	shim_load(&s);
	a = s.open(NO_NODE, O_RDWR);
	b = s.open(NO_NODE, O_RDWR);
	ck_assert_int_ge(a, 0);
	ck_assert_int_ge(b, 0);

	/* A driver's create, its fake offset, mmap: as an unmodified panthor client does. */
	ck_assert_int_eq(s.ioctl(a, FAKE_IOCTL_BO_CREATE, &bo), 0);
	pa = s.mmap(NULL, BO_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, a, (off_t)bo.offset);
	ck_assert_ptr_ne(pa, MAP_FAILED);
	memset(pa, 0x3c, BO_SIZE);
	/* A page inside the object maps its page. */
	p = s.mmap(NULL, 4096, PROT_READ, MAP_SHARED, a, (off_t)(bo.offset + 8192));
	ck_assert_ptr_ne(p, MAP_FAILED);
	pa[8192] = 0x4d;
	ck_assert_uint_eq(((unsigned char *)p)[0], 0x4d);
	munmap(p, 4096);

	/* What the kernel refuses, the shim refuses alike. */
	errno = 0;
	ck_assert_ptr_eq(s.mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, a, (off_t)bo.offset), MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_eq(s.mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, a,
				(off_t)(bo.offset + 8192)), MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_eq(s.mmap(NULL, 4096, PROT_READ, MAP_SHARED, a, (off_t)(1ull << 56)),
			 MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);
	/* b has no handle on it: an offset is not a capability. */
	ck_assert_ptr_eq(s.mmap(NULL, 4096, PROT_READ, MAP_SHARED, b, (off_t)bo.offset), MAP_FAILED);
	ck_assert_int_eq(errno, EINVAL);

	/* PRIME through the ioctls, intercepted. */
	ph = (struct gpu_proto_prime_handle){ .handle = bo.handle, .flags = GPU_PROTO_RDWR };
	ck_assert_int_eq(s.ioctl(a, GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD, &ph), 0);
	ck_assert_int_ge(ph.fd, 0);
	ck_assert_int_eq(fcntl(ph.fd, F_GETFD) & FD_CLOEXEC, 0);
	mfd = ph.fd;
	ph = (struct gpu_proto_prime_handle){ .fd = mfd };
	ck_assert_int_eq(s.ioctl(b, GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE, &ph), 0);
	hb = ph.handle;
	ph = (struct gpu_proto_prime_handle){ .fd = mfd };
	ck_assert_int_eq(s.ioctl(b, GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE, &ph), 0);
	ck_assert_uint_eq(ph.handle, hb);
	ph = (struct gpu_proto_prime_handle){ .fd = -1 };
	ck_assert_int_eq(s.ioctl(b, GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE, &ph), -1);
	ck_assert_int_eq(errno, EBADF);

	/* b maps the import by its own offset: the same memory. */
	{
		struct gpu_proto_fd_token t = { .op = GPU_PROTO_FD_TOKEN_EXPORT, .handle = hb };

		ck_assert_int_eq(s.ioctl(b, GPU_PROTO_IOCTL_FD_TOKEN, &t), 0);
		pb = s.mmap(NULL, BO_SIZE, PROT_READ, MAP_SHARED, b, (off_t)t.offset);
		ck_assert_ptr_ne(pb, MAP_FAILED);
		/* The token minted above is left to expire: harmless. */
	}
	ck_assert_uint_eq(pb[0], 0x3c);
	pa[1] = 0x81;
	ck_assert_uint_eq(pb[1], 0x81);

	/* Other fds' mappings pass straight through. */
	p = s.mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	ck_assert_uint_eq(((unsigned char *)p)[1], 0x81);
	munmap(p, 4096);
	p = s.mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(p, MAP_FAILED);
	munmap(p, 4096);

	munmap(pa, BO_SIZE);
	munmap(pb, BO_SIZE);
	close(mfd);
	s.close(a);
	s.close(b);
	dlclose(s.h);
	gp_socket_free(&sock);
}
END_TEST

static Suite *fdpass_suite(void)
{
	Suite *s = suite_create("fdpass");
	TCase *tc = tcase_create("fdpass");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_mint_rejects_bad_requests);
	tcase_add_test(tc, test_mint_by_offset_names_the_object);
	tcase_add_test(tc, test_handles_of_another_file);
	tcase_add_test(tc, test_tokens_per_file_are_bounded);
	tcase_add_test(tc, test_tokens_are_random);
	tcase_add_test(tc, test_export_map_round_trip);
	tcase_add_test(tc, test_export_by_offset);
	tcase_add_test(tc, test_prime_between_two_files);
	tcase_add_test(tc, test_another_process_cannot_redeem);
	tcase_add_test(tc, test_token_is_single_use);
	tcase_add_test(tc, test_unknown_token);
	tcase_add_test(tc, test_token_expires);
	tcase_add_test(tc, test_wrong_op_consumes_token);
	tcase_add_test(tc, test_foreign_fd_import);
	tcase_add_test(tc, test_import_of_another_devices_object);
	tcase_add_test(tc, test_export_after_handle_closed);
	tcase_add_test(tc, test_revoke_with_tokens_pending);
	tcase_add_test(tc, test_malformed_requests);
	tcase_add_test(tc, test_silent_connections_do_not_block_others);
	tcase_add_test(tc, test_client_that_never_reads);
	tcase_add_test(tc, test_connection_limits);
	tcase_add_test(tc, test_total_connection_limit);
	tcase_add_test(tc, test_peer_permissions);
	tcase_add_test(tc, test_accept_out_of_descriptors_resumes);
	tcase_add_test(tc, test_redeem_races_revoke);
	tcase_add_test(tc, test_library_in_process);
	tcase_add_test(tc, test_library_over_socket_transport);
	tcase_add_test(tc, test_library_without_fd_socket);
	tcase_add_test(tc, test_shim_mmap_and_prime);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(fdpass_suite());
}
