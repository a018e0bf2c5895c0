// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-fill: the example client of GPU work on a mali-csf device.
 *
 * Through libgpuproto only: open the device, create a VM, two buffer
 * objects (a command stream and a data buffer) bound in it and mapped into
 * this process, a group with one queue and a timeline sync object; write a
 * command stream with <gpu-proto/gpu_proto_cs.h> that fills the data buffer
 * (MOVE48 the address, MOVE32 the values, STORE_MULTIPLE sixteen words at a
 * time, ADD_IMMEDIATE to step), submit it with a signal operation on the
 * next timeline point, wait for that point, ask how the job ended
 * (SYNCOBJ_STATUS: a timeline point reports the error of a job that
 * faulted, timed out or was cancelled; GROUP_GET_STATE then says how the
 * group is), and compare the bytes through the CPU mapping.
 *
 * --iterations repeats the submit-wait-check; --reopen survives the device
 * going away (hot-unbind): an iteration that fails with an error is
 * counted, the handle is closed and the device opened again once it is
 * back.  What must never happen is a wait that times out (a hang), or a job
 * reported as successful whose bytes are wrong: either ends the run with
 * exit status 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_cs.h>
#include <gpuproto.h>

#define PROG "gpu-proto-fill"

enum { EXIT_USAGE = 2 };

/* GPU addresses of the two objects; any page-aligned place in the user range. */
#define CS_VA		0x01000000ull
#define DATA_VA		0x02000000ull
/* An address nothing is bound at, for --fault. */
#define UNMAPPED_VA	0x40000000ull

/* Registers of the stream: the sixteen values, and the address pair. */
#define REG_VALUES	0
#define REG_ADDR	64

struct opts {
	const char *device;
	uint32_t size;		/* bytes to fill, a multiple of 4 */
	uint32_t seed;
	unsigned long iterations;
	int timeout_ms;		/* per wait */
	int reopen_ms;		/* how long to wait for the device to come back; 0: never */
	const char *until;	/* run until this path exists */
	bool fault;
	bool quiet;
};

struct fill {
	struct gpc_device *dev;
	uint32_t vm, cs_bo, data_bo, group, syncobj;
	void *cs_map, *data_map;
	uint64_t cs_size, data_size;
	uint32_t cs_bytes;	/* stream length */
	uint64_t point;		/* last timeline point submitted */
};

struct tally {
	unsigned long submits, verified, failed;
	unsigned long enodev, fence_error, group_unusable, reopens, hung;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTIONS]\n"
		"\n"
		"Submit a command stream that fills a buffer and signals a timeline\n"
		"sync object point, wait for the point, check the job's status and the\n"
		"bytes through the CPU mapping.  Exit status 0 when every job that\n"
		"signalled filled the buffer correctly, 1 on an error, a wrong byte or\n"
		"a wait that timed out, 2 on a usage error.\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH      device node (default: " GPC_DEFAULT_PATH ")\n"
		"  -s, --size=BYTES       bytes to fill, a multiple of 4 (default 4096)\n"
		"      --seed=N           the first word's value (default 0x600df111)\n"
		"  -n, --iterations=N     submit, wait and check N times (default 1)\n"
		"  -t, --timeout-ms=MS    longest wait for one job (default 10000)\n"
		"      --reopen=MS        when the device goes away, count the error,\n"
		"                         and open it again for up to MS milliseconds\n"
		"      --until=PATH       repeat until PATH exists (instead of -n)\n"
		"      --fault            store to an unmapped address: the job must fail\n"
		"                         (exit status 1, with the error it failed with)\n"
		"  -q, --quiet            print only the summary\n"
		"  -h, --help             show this help and exit\n");
}

static void errmsg(const char *what, int r)
{
	fprintf(stderr, PROG ": %s: %s (errno %d)\n", what, strerror(-r), -r);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint32_t expected_word(const struct opts *o, uint32_t i)
{
	return o->seed + i;
}

/*
 * The stream: sixteen registers hold the values of sixteen consecutive
 * words; each STORE_MULTIPLE writes them at the address pair, then the
 * address moves on 64 bytes and every value by 16.  A tail shorter than 64
 * bytes stores only the registers it needs.
 */
static uint32_t build_stream(uint64_t *cs, const struct opts *o, uint64_t data_va)
{
	uint32_t words = o->size / 4, n = 0;

	cs[n++] = gpu_proto_cs_move48(REG_ADDR, o->fault ? UNMAPPED_VA : data_va);
	for (unsigned int r = 0; r < 16; r++)
		cs[n++] = gpu_proto_cs_move32(REG_VALUES + r, expected_word(o, r));
	for (uint32_t w = 0; w < words; w += 16) {
		uint32_t left = words - w;
		uint16_t mask = left >= 16 ? 0xffff : (uint16_t)((1u << left) - 1);

		cs[n++] = gpu_proto_cs_store_multiple(REG_VALUES, REG_ADDR, mask, 0);
		if (left <= 16)
			break;
		cs[n++] = gpu_proto_cs_add_imm64(REG_ADDR, REG_ADDR, 64);
		for (unsigned int r = 0; r < 16; r++)
			cs[n++] = gpu_proto_cs_add_imm32(REG_VALUES + r, REG_VALUES + r, 16);
	}
	return n * GPU_PROTO_CS_INSTR_SIZE;
}

static uint32_t stream_bytes_for(uint32_t size)
{
	uint32_t chunks = (size / 4 + 15) / 16;

	return (1 + 16 + chunks * 18) * GPU_PROTO_CS_INSTR_SIZE;
}

static uint64_t page_round(uint64_t n)
{
	return (n + 4095) & ~4095ull;
}

/* Releases everything; the calls may fail on an unplugged device, which is fine. */
static void fill_teardown(struct fill *f)
{
	if (f->cs_map)
		gpc_bo_unmap(f->cs_map, f->cs_size);
	if (f->data_map)
		gpc_bo_unmap(f->data_map, f->data_size);
	if (f->dev) {
		if (f->group)
			gpc_mali_group_destroy(f->dev, f->group);
		if (f->syncobj)
			gpc_syncobj_destroy(f->dev, f->syncobj);
		if (f->vm)
			gpc_mali_vm_destroy(f->dev, f->vm);
		if (f->cs_bo)
			gpc_gem_close(f->dev, f->cs_bo);
		if (f->data_bo)
			gpc_gem_close(f->dev, f->data_bo);
		gpc_close(f->dev);
	}
	*f = (struct fill){ 0 };
}

static int create_group(struct fill *f)
{
	const struct gpu_proto_mali_queue_create queue = { .priority = 1, .ringbuf_size = 4096 };

	return gpc_mali_group_create(f->dev, f->vm, GPU_PROTO_MALI_GROUP_PRIORITY_MEDIUM, &queue,
				     1, NULL, &f->group);
}

/* Return: 0, or -errno with *@what naming the step that failed. */
static int fill_setup(struct fill *f, const struct opts *o, const char **what)
{
	static char open_what[300];
	int r;

	snprintf(open_what, sizeof(open_what), "open %s%s", o->device ? o->device : GPC_DEFAULT_PATH,
		 " (is gpu-protod running?)");
	*what = open_what;
	r = gpc_open(o->device, 0, &f->dev);
	if (r < 0)
		return r;
	*what = "VM_CREATE";
	r = gpc_mali_vm_create(f->dev, 0, &f->vm, NULL);
	if (r < 0)
		return r;
	*what = "BO_CREATE (command stream)";
	r = gpc_mali_bo_create(f->dev, page_round(stream_bytes_for(o->size)), 0, 0, &f->cs_bo,
			       &f->cs_size);
	if (r < 0)
		return r;
	*what = "BO_CREATE (data)";
	r = gpc_mali_bo_create(f->dev, page_round(o->size), 0, 0, &f->data_bo, &f->data_size);
	if (r < 0)
		return r;
	*what = "VM_BIND (command stream)";
	r = gpc_mali_vm_bind_map(f->dev, f->vm, f->cs_bo, 0, CS_VA, f->cs_size,
				 GPU_PROTO_MALI_VM_BIND_OP_MAP_READONLY);
	if (r < 0)
		return r;
	*what = "VM_BIND (data)";
	r = gpc_mali_vm_bind_map(f->dev, f->vm, f->data_bo, 0, DATA_VA, f->data_size,
				 GPU_PROTO_MALI_VM_BIND_OP_MAP_NOEXEC);
	if (r < 0)
		return r;
	*what = "map (command stream)";
	r = gpc_bo_map(f->dev, f->cs_bo, PROT_READ | PROT_WRITE, &f->cs_map, &f->cs_size);
	if (r < 0)
		return r;
	*what = "map (data)";
	r = gpc_bo_map(f->dev, f->data_bo, PROT_READ | PROT_WRITE, &f->data_map, &f->data_size);
	if (r < 0)
		return r;
	*what = "GROUP_CREATE";
	r = create_group(f);
	if (r < 0)
		return r;
	*what = "SYNCOBJ_CREATE";
	r = gpc_syncobj_create(f->dev, 0, &f->syncobj);
	if (r < 0)
		return r;
	/* The stream never changes: written once, run every iteration. */
	f->cs_bytes = build_stream(f->cs_map, o, DATA_VA);
	f->point = 0;
	return 0;
}

enum outcome {
	OUT_VERIFIED,		/* signalled without error, bytes right */
	OUT_FAILED,		/* failed with an error, reported */
	OUT_DEVICE_GONE,	/* ENODEV: the handle is dead */
	OUT_FATAL,		/* hang, wrong bytes, or an error nothing explains */
};

/* Ask the group how it is; an unusable one is replaced so later jobs can run. */
static void explain_failure(struct fill *f, const struct opts *o, struct tally *t)
{
	uint32_t state = 0, fatal = 0;
	int r = gpc_mali_group_get_state(f->dev, f->group, &state, &fatal);

	if (r < 0) {
		if (!o->quiet)
			errmsg("GROUP_GET_STATE", r);
		return;
	}
	if (!o->quiet)
		fprintf(stderr, PROG ": group state 0x%x%s%s, fatal queues 0x%x\n", state,
			state & GPU_PROTO_MALI_GROUP_STATE_FATAL_FAULT ? " (fatal fault)" : "",
			state & GPU_PROTO_MALI_GROUP_STATE_TIMEDOUT ? " (timed out)" : "", fatal);
	if (state) {
		t->group_unusable++;
		gpc_mali_group_destroy(f->dev, f->group);
		f->group = 0;
		r = create_group(f);
		if (r < 0 && !o->quiet) {
			uint32_t vm_state = 0;

			/* A fault also makes the VM unusable, as in panthor: say so. */
			if (gpc_mali_vm_get_state(f->dev, f->vm, &vm_state) == 0 &&
			    vm_state == GPU_PROTO_MALI_VM_STATE_UNUSABLE)
				fprintf(stderr, PROG ": the VM is unusable after the fault: no "
					"group can replace this one in it\n");
			else
				errmsg("GROUP_CREATE (replacing the unusable group)", r);
		}
	}
}

/* A fresh timeline sync object in place of one that carries a job's error. */
static int restart_timeline(struct fill *f)
{
	uint32_t h;
	int r = gpc_syncobj_create(f->dev, 0, &h);

	if (r < 0)
		return r;
	gpc_syncobj_destroy(f->dev, f->syncobj);
	f->syncobj = h;
	f->point = 0;
	return 0;
}

static enum outcome fill_once(struct fill *f, const struct opts *o, struct tally *t)
{
	uint32_t *data = f->data_map;
	uint64_t point = f->point + 1;
	const struct gpu_proto_mali_sync_op signal = {
		.flags = GPU_PROTO_MALI_SYNC_OP_SIGNAL |
			 GPU_PROTO_MALI_SYNC_OP_HANDLE_TYPE_TIMELINE_SYNCOBJ,
		.handle = f->syncobj, .timeline_value = point,
	};
	const struct gpu_proto_mali_queue_submit job = {
		.queue_index = 0, .stream_addr = CS_VA, .stream_size = f->cs_bytes,
		.syncs = { .stride = sizeof(signal), .count = 1, .array = (uintptr_t)&signal },
	};
	int32_t status = 0;
	int r;

	/* Poison: every word differs from what the job must write. */
	for (uint32_t i = 0; i < o->size / 4; i++)
		data[i] = ~expected_word(o, i);

	if (!f->group) {
		r = create_group(f);
		if (r < 0) {
			errmsg("GROUP_CREATE", r);
			return r == -ENODEV ? OUT_DEVICE_GONE : OUT_FATAL;
		}
	}
	t->submits++;
	r = gpc_mali_group_submit(f->dev, f->group, &job, 1);
	if (r < 0) {
		if (!o->quiet)
			errmsg("GROUP_SUBMIT", r);
		t->failed++;
		if (r == -ENODEV) {
			t->enodev++;
			return OUT_DEVICE_GONE;
		}
		if (r == -ECANCELED) {	/* the group is unusable: say why, replace it */
			explain_failure(f, o, t);
			return OUT_FAILED;
		}
		return OUT_FATAL;
	}
	f->point = point;

	r = gpc_syncobj_timeline_wait(f->dev, &f->syncobj, &point, 1,
				      gpc_timeout_abs((int64_t)o->timeout_ms * 1000000), 0, NULL);
	if (r == -ETIME) {
		t->hung++;
		fprintf(stderr, PROG ": SYNCOBJ_TIMELINE_WAIT: point %" PRIu64 " not signalled "
			"within %d ms: the job hangs\n", point, o->timeout_ms);
		return OUT_FATAL;
	}
	if (r < 0) {
		if (!o->quiet)
			errmsg("SYNCOBJ_TIMELINE_WAIT", r);
		t->failed++;
		if (r == -ENODEV) {
			t->enodev++;
			return OUT_DEVICE_GONE;
		}
		return OUT_FATAL;
	}

	r = gpc_syncobj_status(f->dev, &f->syncobj, &point, &status, 1);
	if (r < 0) {
		if (!o->quiet)
			errmsg("SYNCOBJ_STATUS", r);
		t->failed++;
		if (r == -ENODEV) {
			t->enodev++;
			return OUT_DEVICE_GONE;
		}
		return OUT_FATAL;
	}
	if (status <= 0) {
		if (status == 0) {
			fprintf(stderr, PROG ": point %" PRIu64 " waited for but its fence is "
				"still pending\n", point);
			return OUT_FATAL;
		}
		t->failed++;
		t->fence_error++;
		if (!o->quiet)
			fprintf(stderr, PROG ": job of point %" PRIu64 " failed: %s (fence "
				"status %d)\n", point, strerror(-status), status);
		if (status == -ENODEV) {
			t->enodev++;
			return OUT_DEVICE_GONE;
		}
		explain_failure(f, o, t);
		/*
		 * Every later point of this timeline carries the error too
		 * (docs/uapi.md 3c): the next job signals a new one.
		 */
		r = restart_timeline(f);
		if (r < 0) {
			errmsg("SYNCOBJ_CREATE (a new timeline)", r);
			return r == -ENODEV ? OUT_DEVICE_GONE : OUT_FATAL;
		}
		return OUT_FAILED;
	}

	for (uint32_t i = 0; i < o->size / 4; i++) {
		if (data[i] != expected_word(o, i)) {
			fprintf(stderr, PROG ": job of point %" PRIu64 " signalled success but "
				"byte %" PRIu32 " is wrong: word %" PRIu32 " = 0x%08" PRIx32
				", want 0x%08" PRIx32 "\n", point, i * 4, i, data[i],
				expected_word(o, i));
			return OUT_FATAL;
		}
	}
	t->verified++;
	return OUT_VERIFIED;
}

/* The device went away: drop the dead handle, open again once it is back. */
static int reopen(struct fill *f, const struct opts *o, struct tally *t)
{
	int64_t deadline = now_ms() + o->reopen_ms;
	const char *what = NULL;
	int r;

	for (;;) {
		fill_teardown(f);
		if (o->until && access(o->until, F_OK) == 0)
			return -ESHUTDOWN;	/* asked to stop while the device was away */
		r = fill_setup(f, o, &what);
		if (r == 0) {
			t->reopens++;
			return 0;
		}
		if (r != -ENODEV && r != -ENOENT)
			break;
		if (now_ms() >= deadline)
			break;
		usleep(20000);
	}
	errmsg(what, r);
	return r;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "size", required_argument, NULL, 's' },
		{ "seed", required_argument, NULL, 'S' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "reopen", required_argument, NULL, 'R' },
		{ "until", required_argument, NULL, 'U' },
		{ "fault", no_argument, NULL, 'F' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct opts o = {
		.size = 4096, .seed = 0x600df111, .iterations = 1, .timeout_ms = 10000,
	};
	struct fill f = { 0 };
	struct tally t = { 0 };
	const char *what = NULL;
	uint32_t v;
	int c, r, status = EXIT_SUCCESS;

	while ((c = getopt_long(argc, argv, "d:s:n:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			o.device = optarg;
			break;
		case 's':
			if (parse_u32(optarg, &o.size) || !o.size || o.size % 4 ||
			    o.size > 64 * 1024 * 1024) {
				fprintf(stderr, PROG ": --size: want a multiple of 4 in [4, 64 MiB]\n");
				return EXIT_USAGE;
			}
			break;
		case 'S':
			if (parse_u32(optarg, &o.seed)) {
				fprintf(stderr, PROG ": --seed: want a 32-bit number\n");
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (parse_u32(optarg, &v) || !v) {
				fprintf(stderr, PROG ": --iterations: want a positive number\n");
				return EXIT_USAGE;
			}
			o.iterations = v;
			break;
		case 't':
			if (parse_u32(optarg, &v) || !v || v > 3600000) {
				fprintf(stderr, PROG ": --timeout-ms: want 1 .. 3600000\n");
				return EXIT_USAGE;
			}
			o.timeout_ms = (int)v;
			break;
		case 'R':
			if (parse_u32(optarg, &v) || v > 3600000) {
				fprintf(stderr, PROG ": --reopen: want 0 .. 3600000 ms\n");
				return EXIT_USAGE;
			}
			o.reopen_ms = (int)v;
			break;
		case 'U':
			o.until = optarg;
			break;
		case 'F':
			o.fault = true;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}

	r = fill_setup(&f, &o, &what);
	if (r < 0) {
		errmsg(what, r);
		fill_teardown(&f);
		return EXIT_FAILURE;
	}
	if (o.until)
		o.iterations = ULONG_MAX;
	for (unsigned long i = 0; i < o.iterations; i++) {
		enum outcome out;

		if (o.until && access(o.until, F_OK) == 0)
			break;
		out = fill_once(&f, &o, &t);

		if (out == OUT_FATAL) {
			status = EXIT_FAILURE;
			break;
		}
		if (out == OUT_DEVICE_GONE) {
			/* Without --reopen a vanished device is an error; with it, the
			 * error is counted and the device opened again (unless this was
			 * the last iteration). */
			if (!o.reopen_ms) {
				status = EXIT_FAILURE;
				break;
			}
			if (i + 1 < o.iterations) {
				r = reopen(&f, &o, &t);
				if (r == -ESHUTDOWN)
					break;
				if (r < 0) {
					status = EXIT_FAILURE;	/* the device never came back */
					break;
				}
			}
		} else if (out == OUT_FAILED && !o.reopen_ms) {
			status = EXIT_FAILURE;	/* a single run must succeed */
			break;
		}
	}
	fill_teardown(&f);

	if (!o.quiet || status != EXIT_SUCCESS || o.iterations > 1 || o.until)
		printf(PROG ": %lu submits: %lu signalled and verified (%" PRIu32 " bytes each), "
		       "%lu failed with an error (ENODEV %lu, fence error %lu, unusable group "
		       "%lu), %lu reopens, %lu hung\n",
		       t.submits, t.verified, o.size, t.failed, t.enodev, t.fence_error,
		       t.group_unusable, t.reopens, t.hung);
	if (status == EXIT_SUCCESS && !o.quiet && o.iterations == 1 && !o.until)
		printf(PROG ": ok: the GPU filled %" PRIu32 " bytes and signalled the timeline "
		       "point\n", o.size);
	return status;
}
