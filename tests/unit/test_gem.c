// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Buffer objects and per-file handles (daemon/core/gem.c), GEM_CLOSE and
 * the raw PRIME ioctls, and the driver's per-file hooks around them, all
 * through real dispatch (the in-process transport) with the fake driver's
 * BO_CREATE.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <urcu/uatomic.h>

#include <gpu-proto/gpu_proto_drm.h>

#include "device_priv.h"
#include "fake_driver.h"
#include "file.h"
#include "gem.h"
#include "inproc.h"
#include "log.h"
#include "registration.h"
#include "check_run.h"

static struct gp_registration *reg;
static struct gp_device *dev;		/* a reference of the test's own */
static struct gp_inproc_caller *caller;
static struct gp_file *file;

static const struct gp_caller user = { .uid = 1000, .gid = 1000, .pid = 4242 };

static void setup(void)
{
	fake_driver_reset();
	gp_gem_set_file_limits(GP_GEM_DEFAULT_MAX_HANDLES, GP_GEM_DEFAULT_MAX_BYTES);
	reg = fake_bind();
	dev = gp_device_get(gp_registration_device(reg));
	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &caller), 0);
	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &file), 0);
}

static void teardown(void)
{
	gp_file_close(&file);
	gp_inproc_caller_free(&caller);
	gp_registration_free(&reg);
	/* Everything is closed: no object may be left, and ours is the last reference. */
	ck_assert_uint_eq(dev->gem_count, 0);
	ck_assert_int_eq((int)dev->ref.refcount, 1);
	gp_device_put(&dev);
	ck_assert(!atomic_load(&fake_record.postclose_misplaced));
	ck_assert(!atomic_load(&fake_record.handler_saw_dead_data));
	gp_gem_set_file_limits(GP_GEM_DEFAULT_MAX_HANDLES, GP_GEM_DEFAULT_MAX_BYTES);
}

static int ioctl_on(struct gp_inproc_caller *c, struct gp_file *f, unsigned int cmd, void *arg,
		    size_t len)
{
	int r = gp_inproc_caller_map(c, arg, len, GP_USER_IN | GP_USER_OUT);

	ck_assert_int_eq(r, 0);
	r = gp_inproc_ioctl(c, f, cmd, (uint64_t)(uintptr_t)arg);
	ck_assert_int_eq(gp_inproc_caller_unmap(c, arg), 0);
	return r;
}

static int bo_create_on(struct gp_inproc_caller *c, struct gp_file *f, uint64_t size,
			struct fake_bo_create *out)
{
	*out = (struct fake_bo_create){ .size = size };
	return ioctl_on(c, f, FAKE_IOCTL_BO_CREATE, out, sizeof(*out));
}

static uint32_t bo_create(uint64_t size)
{
	struct fake_bo_create c;

	ck_assert_int_eq(bo_create_on(caller, file, size, &c), 0);
	return c.handle;
}

static int gem_close_on(struct gp_inproc_caller *c, struct gp_file *f, uint32_t handle,
			uint32_t pad)
{
	struct gpu_proto_gem_close arg = { .handle = handle, .pad = pad };

	return ioctl_on(c, f, GPU_PROTO_IOCTL_GEM_CLOSE, &arg, sizeof(arg));
}

static int gem_close(uint32_t handle)
{
	return gem_close_on(caller, file, handle, 0);
}

/* Daemon-side mappings of objects, as /proc/self/maps names memfds. */
static int count_bo_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "memfd:gpu-proto-bo"))
			n++;
	fclose(f);
	return n;
}

START_TEST(handles_start_at_one_and_reuse_the_lowest_free)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct fake_bo_create c[3];

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(bo_create_on(caller, file, 100, &c[i]), 0);
		ck_assert_uint_eq(c[i].handle, (uint32_t)i + 1);
		ck_assert_uint_eq(c[i].size, page);
		/* drm_vma_offset_manager's space on 64-bit: from 4 GiB, page aligned. */
		ck_assert_uint_ge(c[i].offset, 1ull << 32);
		ck_assert_uint_eq(c[i].offset % page, 0);
		for (int j = 0; j < i; j++)
			ck_assert(c[i].offset >= c[j].offset + page || c[j].offset >= c[i].offset + page);
	}
	ck_assert_int_eq(gem_close(2), 0);
	ck_assert_uint_eq(bo_create(1), 2);
	ck_assert_uint_eq(bo_create(1), 4);
	ck_assert_int_eq(gem_close(3), 0);
	ck_assert_int_eq(gem_close(1), 0);
	ck_assert_uint_eq(bo_create(1), 1);
	ck_assert_uint_eq(bo_create(1), 3);
	ck_assert_uint_eq(bo_create(1), 5);
	ck_assert_uint_eq(gp_gem_handle_count(file), 5);
}
END_TEST

START_TEST(gem_close_twice_or_unknown_is_einval)
{
	uint32_t h = bo_create(4096);

	ck_assert_int_eq(gem_close(h), 0);
	ck_assert_int_eq(gem_close(h), -EINVAL);
	ck_assert_int_eq(gem_close(0), -EINVAL);
	ck_assert_int_eq(gem_close(77), -EINVAL);
	ck_assert_int_eq(gem_close(UINT32_MAX), -EINVAL);
	/* As drm_gem_close_ioctl(): pad is not looked at. */
	h = bo_create(4096);
	ck_assert_int_eq(gem_close_on(caller, file, h, 0xdeadbeef), 0);
	ck_assert_uint_eq(dev->gem_count, 0);
}
END_TEST

START_TEST(another_files_handle_is_not_ours)
{
	struct gp_file *other = NULL;
	struct gp_gem_object *obj;
	uint32_t h = bo_create(4096);

	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(gem_close_on(caller, other, h, 0), -EINVAL);
	ck_assert_ptr_null(gp_gem_object_lookup(other, h));
	obj = gp_gem_object_lookup(file, h);
	ck_assert_ptr_nonnull(obj);
	/* The offset is no capability: the other file holds no handle. */
	ck_assert_ptr_null(gp_gem_lookup_by_offset(other, obj->mmap_offset, 1));
	gp_gem_object_put(&obj);
	gp_file_close(&other);
	ck_assert_int_eq(gem_close(h), 0);
}
END_TEST

START_TEST(lookup_by_offset_inside_the_object_only)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct fake_bo_create c, d;
	struct gp_gem_object *obj;

	ck_assert_int_eq(bo_create_on(caller, file, 3 * page, &c), 0);
	ck_assert_int_eq(bo_create_on(caller, file, page, &d), 0);
	obj = gp_gem_lookup_by_offset(file, c.offset, 3 * page);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(obj->mmap_offset, c.offset);
	gp_gem_object_put(&obj);
	obj = gp_gem_lookup_by_offset(file, c.offset + page, page);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(obj->mmap_offset, c.offset);
	gp_gem_object_put(&obj);
	ck_assert_ptr_null(gp_gem_lookup_by_offset(file, c.offset + page, 3 * page));
	ck_assert_ptr_null(gp_gem_lookup_by_offset(file, c.offset, UINT64_MAX));
	ck_assert_ptr_null(gp_gem_lookup_by_offset(file, UINT64_MAX - 10, 20));
	ck_assert_ptr_null(gp_gem_lookup_by_offset(file, c.offset - page, page));
	obj = gp_gem_lookup_by_offset(file, d.offset, page);
	ck_assert_ptr_nonnull(obj);
	ck_assert_uint_eq(obj->mmap_offset, d.offset);
	gp_gem_object_put(&obj);
	/* A closed handle's offset is gone. */
	ck_assert_int_eq(gem_close(d.handle), 0);
	ck_assert_ptr_null(gp_gem_lookup_by_offset(file, d.offset, page));
}
END_TEST

START_TEST(prime_import_lookup_finds_the_same_object)
{
	struct gp_file *other = NULL;
	struct gp_gem_object *obj, *found;
	struct stat st;
	uint32_t h = bo_create(8192), h2 = 0, again = 0;

	obj = gp_gem_object_lookup(file, h);
	ck_assert_ptr_nonnull(obj);
	ck_assert_int_eq(fstat(obj->memfd, &st), 0);
	found = gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino);
	ck_assert_ptr_eq(found, obj);
	gp_gem_object_put(&found);
	ck_assert_ptr_null(gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino + 1000000));

	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
	ck_assert_int_eq(gp_gem_handle_by_object(other, obj, &again), -ENOENT);
	ck_assert_int_eq(gp_gem_handle_create(other, obj, &h2), 0);
	ck_assert_uint_eq(h2, 1);
	ck_assert_int_eq(gp_gem_handle_by_object(other, obj, &again), 0);
	ck_assert_uint_eq(again, h2);
	gp_gem_object_put(&obj);

	/* The first file's handle goes; the other keeps the object alive. */
	ck_assert_int_eq(gem_close(h), 0);
	ck_assert_uint_eq(dev->gem_count, 1);
	found = gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino);
	ck_assert_ptr_nonnull(found);
	gp_gem_object_put(&found);
	gp_file_close(&other);
	ck_assert_uint_eq(dev->gem_count, 0);
	/* Gone objects are not found. */
	ck_assert_ptr_null(gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino));
}
END_TEST

START_TEST(memfd_is_sealed_against_resize)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct gp_gem_object *obj;
	int fd, seals;

	obj = gp_gem_object_lookup(file, bo_create(2 * page));
	ck_assert_ptr_nonnull(obj);
	/* What a client receives: the memfd itself. */
	fd = dup(obj->memfd);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ftruncate(fd, (off_t)(4 * page)), -1);
	ck_assert_int_eq(errno, EPERM);
	seals = fcntl(fd, F_GET_SEALS);
	ck_assert_int_eq(seals & (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL);
	/* No one may add a write seal either (it would break the device's view). */
	ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), -1);
	ck_assert_int_eq(errno, EPERM);
	/* Not inherited across exec. */
	ck_assert_int_ne(fcntl(obj->memfd, F_GETFD) & FD_CLOEXEC, 0);
	/* The daemon's whole mapping is still usable. */
	memset(obj->vaddr, 0x5a, obj->size);
	ck_assert_uint_eq(((unsigned char *)obj->vaddr)[obj->size - 1], 0x5a);
	close(fd);
	gp_gem_object_put(&obj);
}
END_TEST

/*
 * Can this process map @bytes of a memfd, as the daemon maps every object
 * whole?  qemu-user (the arm64 unit run) refuses large shared mappings that
 * any arm64 kernel gives, so the tests of the largest objects ask first.
 */
static bool address_space_holds(uint64_t bytes)
{
	int fd = memfd_create("gp-test-probe", MFD_CLOEXEC);
	bool ok = false;
	void *p;

	if (fd < 0)
		return false;
	if (ftruncate(fd, (off_t)bytes) == 0) {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ok = p != MAP_FAILED;
		if (ok)
			munmap(p, bytes);
	}
	close(fd);
	return ok;
}

START_TEST(zero_and_huge_sizes_are_einval)
{
	struct fake_bo_create c;
	struct gp_gem_object *obj = NULL;

	ck_assert_int_eq(bo_create_on(caller, file, 0, &c), -EINVAL);
	ck_assert_int_eq(bo_create_on(caller, file, GP_GEM_MAX_SIZE + 1, &c), -EINVAL);
	ck_assert_int_eq(bo_create_on(caller, file, UINT64_MAX, &c), -EINVAL);
	ck_assert_int_eq(gp_gem_object_create(dev, 0, &obj), -EINVAL);
	ck_assert_ptr_null(obj);
	ck_assert_int_eq(gp_gem_handle_count(file), 0);
	ck_assert_uint_eq(dev->gem_count, 0);
	/* The largest size is accepted by the object layer (memory is not committed). */
	if (!address_space_holds(GP_GEM_MAX_SIZE)) {
		printf("SKIP: a %llu-byte object: this process cannot map that much "
		       "(user-mode emulation?)\n", (unsigned long long)GP_GEM_MAX_SIZE);
		return;
	}
	ck_assert_int_eq(gp_gem_object_create(dev, GP_GEM_MAX_SIZE, &obj), 0);
	ck_assert_uint_eq(obj->size, GP_GEM_MAX_SIZE);
	gp_gem_object_put(&obj);
	ck_assert_ptr_null(obj);
}
END_TEST

START_TEST(offset_space_exhaustion_is_enospc_and_first_fit_reuses)
{
	struct gp_gem_object *objs[32] = { 0 }, *again = NULL;
	unsigned int n = 0;
	uint64_t hole;
	int r = 0;

	/* 64 GiB objects: about 1 TiB of offset space holds 15 of them. */
	while (n < 32 && (r = gp_gem_object_create(dev, GP_GEM_MAX_SIZE, &objs[n])) == 0)
		n++;
	ck_assert_int_eq(r, -ENOSPC);
	ck_assert_uint_eq(n, 15);
	ck_assert_uint_eq(dev->gem_count, n);
	hole = objs[3]->mmap_offset;
	gp_gem_object_put(&objs[3]);
	ck_assert_int_eq(gp_gem_object_create(dev, GP_GEM_MAX_SIZE, &again), 0);
	ck_assert_uint_eq(again->mmap_offset, hole);
	gp_gem_object_put(&again);
	for (unsigned int i = 0; i < n; i++)
		gp_gem_object_put(&objs[i]);
	ck_assert_uint_eq(dev->gem_count, 0);
}
END_TEST

START_TEST(handle_limit_is_enospc_byte_limit_is_enomem)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct fake_bo_create c;

	gp_gem_set_file_limits(4, 8 * page);
	for (uint32_t i = 1; i <= 4; i++)
		ck_assert_uint_eq(bo_create(1), i);
	ck_assert_int_eq(bo_create_on(caller, file, 1, &c), -ENOSPC);
	/* The refused object went away with the failed create. */
	ck_assert_uint_eq(dev->gem_count, 4);
	ck_assert_int_eq(gem_close(2), 0);
	ck_assert_uint_eq(bo_create(1), 2);

	/* 3 one-page objects left out of 8 pages: 6 pages do not fit, 5 do. */
	ck_assert_int_eq(gem_close(1), 0);
	ck_assert_int_eq(bo_create_on(caller, file, 6 * page, &c), -ENOMEM);
	ck_assert_uint_eq(dev->gem_count, 3);
	ck_assert_int_eq(bo_create_on(caller, file, 5 * page + 1, &c), -ENOMEM);
	ck_assert_uint_eq(bo_create(5 * page), 1);
	ck_assert_int_eq(bo_create_on(caller, file, 1, &c), -ENOSPC);
	/* Closing gives the bytes back: 2 pages left in use. */
	ck_assert_int_eq(gem_close(1), 0);
	ck_assert_int_eq(gem_close(3), 0);
	ck_assert_uint_eq(bo_create(6 * page), 1);

	/* Limits are per file: another file starts from nothing. */
	{
		struct gp_file *other = NULL;

		ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &other), 0);
		ck_assert_int_eq(bo_create_on(caller, other, 8 * page, &c), 0);
		ck_assert_uint_eq(c.handle, 1);
		ck_assert_int_eq(bo_create_on(caller, other, 1, &c), -ENOMEM);
		gp_file_close(&other);
	}
}
END_TEST

START_TEST(file_close_drops_its_handles)
{
	struct gp_gem_object *kept;
	int before = count_bo_mappings();
	uint32_t a = bo_create(4096);

	(void)bo_create(4096);
	(void)bo_create(4096);
	ck_assert_int_eq(count_bo_mappings(), before + 3);
	kept = gp_gem_object_lookup(file, a);
	gp_file_close(&file);
	/* Two objects had only their handles: freed, unmapped; the third is ours. */
	ck_assert_uint_eq(dev->gem_count, 1);
	ck_assert_int_eq(count_bo_mappings(), before + 1);
	gp_gem_object_put(&kept);
	ck_assert_uint_eq(dev->gem_count, 0);
	ck_assert_int_eq(count_bo_mappings(), before);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_in_guard), 1);
}
END_TEST

START_TEST(handle_create_on_a_closed_file_is_enodev)
{
	struct gp_gem_object *obj = NULL;
	struct gp_file *ref;
	uint32_t h = 0;

	ck_assert_int_eq(gp_gem_object_create(dev, 4096, &obj), 0);
	ref = gp_file_get(file);	/* as a pending event would */
	gp_file_close(&file);
	ck_assert_int_eq(gp_gem_handle_create(ref, obj, &h), -ENODEV);
	ck_assert_ptr_null(gp_gem_object_lookup(ref, 1));
	gp_file_put(&ref);
	gp_gem_object_put(&obj);
}
END_TEST

START_TEST(object_outlives_revoke_and_keeps_the_device)
{
	unsigned char *client;
	struct gp_gem_object *obj;
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_PRIME };
	uint32_t h = bo_create(8192);
	int memfd, before;

	obj = gp_gem_object_lookup(file, h);
	ck_assert_ptr_nonnull(obj);
	/* A client's mapping of the memfd, as libgpuproto makes it. */
	client = mmap(NULL, obj->size, PROT_READ | PROT_WRITE, MAP_SHARED, obj->memfd, 0);
	ck_assert_ptr_ne(client, MAP_FAILED);
	memset(obj->vaddr, 0xa5, obj->size);

	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	ck_assert_int_eq(atomic_load(&fake_record.releases), 1);

	/* As drm_ioctl() once unplugged: every ioctl is ENODEV, GEM_CLOSE included. */
	ck_assert_int_eq(gem_close(h), -ENODEV);
	ck_assert_int_eq(ioctl_on(caller, file, GPU_PROTO_IOCTL_GET_CAP, &cap, sizeof(cap)),
			 -ENODEV);
	/* The handle is still the file's until it closes. */
	ck_assert_uint_eq(gp_gem_handle_count(file), 1);

	/* System memory stays mapped and shared both ways. */
	ck_assert_uint_eq(client[100], 0xa5);
	client[4097] = 0x11;
	ck_assert_uint_eq(((unsigned char *)obj->vaddr)[4097], 0x11);

	gp_file_close(&file);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_unplugged), 1);
	ck_assert_uint_eq(dev->gem_count, 1);
	/* Only the test and the object hold the device now. */
	ck_assert_int_eq((int)dev->ref.refcount, 2);
	gp_device_put(&dev);
	ck_assert_int_eq((int)obj->dev->ref.refcount, 1);
	ck_assert_str_eq(gp_device_unique(obj->dev), "fake:0");

	memfd = obj->memfd;
	before = count_bo_mappings();
	dev = gp_device_get(obj->dev);	/* for teardown's checks */
	gp_gem_object_put(&obj);
	/* Freed at the last put: its memfd closed, the daemon's mapping gone. */
	ck_assert_int_eq(fcntl(memfd, F_GETFD), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(count_bo_mappings(), before - 1);
	/* The client's mapping outlives the object too, as a dma-buf mapping would. */
	ck_assert_uint_eq(client[4097], 0x11);
	munmap(client, 8192);
}
END_TEST

START_TEST(device_is_freed_by_its_last_object)
{
	struct gp_gem_object *obj = NULL;
	struct gp_device *weak;

	ck_assert_int_eq(gp_gem_object_create(dev, 4096, &obj), 0);
	gp_file_close(&file);
	gp_registration_free(&reg);
	weak = dev;
	gp_device_put(&dev);
	/* The object is the last holder; ASan would report a read of a freed device. */
	ck_assert_ptr_eq(obj->dev, weak);
	ck_assert_int_eq((int)obj->dev->ref.refcount, 1);
	ck_assert_uint_eq(obj->dev->gem_count, 1);
	dev = gp_device_get(obj->dev);
	gp_gem_object_put(&obj);
	ck_assert_uint_eq(dev->gem_count, 0);
}
END_TEST

START_TEST(open_runs_in_a_guard_and_its_failure_undoes_the_open)
{
	struct gp_file *f = NULL;

	ck_assert_int_eq(atomic_load(&fake_record.opens), 1);
	ck_assert_ptr_nonnull(file->driver_priv);
	atomic_store(&fake_record.open_result, -EMFILE);
	ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &f), -EMFILE);
	ck_assert_ptr_null(f);
	ck_assert_uint_eq(gp_device_open_files(dev), 1);
	atomic_store(&fake_record.open_result, 0);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses), 0);
}
END_TEST

START_TEST(postclose_runs_in_a_guard_while_registered)
{
	gp_file_close(&file);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses), 1);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_in_guard), 1);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_unplugged), 0);
}
END_TEST

static void *revoke_thread(void *arg)
{
	gp_registration_revoke(arg);
	return NULL;
}

START_TEST(postclose_waits_for_release_once_unplugged)
{
	struct timespec ms = { .tv_nsec = 1000000 };
	pthread_t t;

	/* Revoke sits in the driver's release for 300 ms ... */
	atomic_store(&fake_record.release_delay_us, 300000);
	ck_assert_int_eq(pthread_create(&t, NULL, revoke_thread, reg), 0);
	while (!atomic_load(&fake_record.release_started))
		nanosleep(&ms, NULL);
	/* ... while the file closes: postclose must wait for release to return. */
	gp_file_close(&file);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_unplugged), 1);
	ck_assert(!atomic_load(&fake_record.postclose_misplaced));
	pthread_join(t, NULL);
}
END_TEST

START_TEST(prime_raw_ioctls_are_eopnotsupp)
{
	struct gpu_proto_prime_handle p = { .handle = bo_create(4096), .fd = 0 };
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_PRIME };

	ck_assert_int_eq(ioctl_on(caller, file, GPU_PROTO_IOCTL_PRIME_HANDLE_TO_FD, &p, sizeof(p)),
			 -EOPNOTSUPP);
	/* Never a number that could be taken for an fd of the caller's. */
	ck_assert_int_eq(p.fd, -1);
	p = (struct gpu_proto_prime_handle){ .fd = 0 };
	ck_assert_int_eq(ioctl_on(caller, file, GPU_PROTO_IOCTL_PRIME_FD_TO_HANDLE, &p, sizeof(p)),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(p.handle, 0);
	ck_assert_uint_eq(gp_gem_handle_count(file), 1);
	/* Yet PRIME is served (through libgpuproto's fd path): GET_CAP says so. */
	ck_assert_int_eq(ioctl_on(caller, file, GPU_PROTO_IOCTL_GET_CAP, &cap, sizeof(cap)), 0);
	ck_assert_uint_eq(cap.value, GPU_PROTO_PRIME_CAP_IMPORT | GPU_PROTO_PRIME_CAP_EXPORT);
}
END_TEST

/* A driver's object embedding the core's, as panthor's panthor_gem_object. */
struct drv_bo {
	uint64_t cookie;
	struct gp_gem_object base;
};

static int drv_bo_frees;
static int drv_bo_fd_at_free = -2;

static void drv_bo_free(struct gp_gem_object *obj)
{
	struct drv_bo *bo = caa_container_of(obj, struct drv_bo, base);

	ck_assert_uint_eq(bo->cookie, 0xb0b0);
	/* The core released the memory first; the device is still there. */
	drv_bo_fd_at_free = fcntl(obj->memfd, F_GETFD);
	ck_assert_int_ge((int)obj->dev->ref.refcount, 1);
	drv_bo_frees++;
	free(bo);
}

static const struct gp_gem_object_funcs drv_bo_funcs = { .free = drv_bo_free };

START_TEST(embedded_object_is_freed_through_its_funcs)
{
	struct drv_bo *bo = calloc(1, sizeof(*bo));
	struct gp_gem_object *obj;
	uint32_t h = 0;

	ck_assert_ptr_nonnull(bo);
	bo->cookie = 0xb0b0;
	ck_assert_int_eq(gp_gem_object_init(dev, &bo->base, &drv_bo_funcs, 3), 0);
	ck_assert_uint_eq(bo->base.size, (size_t)sysconf(_SC_PAGESIZE));
	ck_assert_int_eq(gp_gem_handle_create(file, &bo->base, &h), 0);
	obj = &bo->base;
	gp_gem_object_put(&obj);	/* the creator's reference */
	ck_assert_int_eq(drv_bo_frees, 0);
	ck_assert_int_eq(gem_close(h), 0);
	ck_assert_int_eq(drv_bo_frees, 1);
	ck_assert_int_eq(drv_bo_fd_at_free, -1);	/* memfd already closed */
	ck_assert_uint_eq(dev->gem_count, 0);

	/* A failed init leaves nothing to release: the storage stays the caller's. */
	bo = calloc(1, sizeof(*bo));
	ck_assert_int_eq(gp_gem_object_init(dev, &bo->base, &drv_bo_funcs, 0), -EINVAL);
	ck_assert_uint_eq(dev->gem_count, 0);
	free(bo);
}
END_TEST

/* Client-triggered log lines: a burst, then silence, then a count of what was dropped. */
START_TEST(ratelimit_allows_a_burst_then_counts_the_rest)
{
	static struct gp_ratelimit rl = GP_RATELIMIT_INIT;
	unsigned int missed = 99;

	for (int i = 0; i < GP_RATELIMIT_BURST; i++) {
		ck_assert(gp_ratelimit_ok(&rl, &missed));
		ck_assert_uint_eq(missed, 0);
	}
	for (int i = 0; i < 5; i++)
		ck_assert(!gp_ratelimit_ok(&rl, &missed));
	/* Next interval: allowed again, reporting the five dropped lines once. */
	rl.begin_ns -= GP_RATELIMIT_INTERVAL_NS;
	ck_assert(gp_ratelimit_ok(&rl, &missed));
	ck_assert_uint_eq(missed, 5);
	ck_assert(gp_ratelimit_ok(&rl, &missed));
	ck_assert_uint_eq(missed, 0);
}
END_TEST

static struct gp_driver nogem_driver;

START_TEST(without_gem_close_is_eopnotsupp_and_prime_cap_is_zero)
{
	struct gp_registration *r2 = NULL;
	struct gp_backend *be = NULL;
	struct gp_file *f = NULL;
	struct gpu_proto_get_cap cap = { .capability = GPU_PROTO_CAP_PRIME, .value = 9 };

	nogem_driver = fake_driver;
	nogem_driver.features &= ~GP_DRIVER_GEM;
	ck_assert_int_eq(gp_driver_bind(&nogem_driver, &be, "fake:1", &r2), 0);
	ck_assert_int_eq(gp_file_open(gp_registration_device(r2), &user, GP_NODE_RENDER, &f), 0);
	ck_assert_int_eq(gem_close_on(caller, f, 1, 0), -EOPNOTSUPP);
	ck_assert_int_eq(ioctl_on(caller, f, GPU_PROTO_IOCTL_GET_CAP, &cap, sizeof(cap)), 0);
	ck_assert_uint_eq(cap.value, 0);
	gp_file_close(&f);
	gp_registration_free(&r2);
}
END_TEST

/* --- concurrency (also run under TSan) --- */

struct churn {
	struct gp_file *file;		/* shared, or NULL: the thread opens its own */
	atomic_int *stop;
	int creates, enodev;
	uint32_t seen_max;
};

static void *churn_thread(void *arg)
{
	struct churn *ch = arg;
	struct gp_inproc_caller *c = NULL;
	struct gp_file *own = NULL, *f = ch->file;
	struct fake_bo_create bo;

	ck_assert_int_eq(gp_inproc_caller_new(GP_INPROC_DIRECT, &c), 0);
	if (!f) {
		if (gp_file_open(dev, &user, GP_NODE_RENDER, &own) < 0)
			goto out;
		f = own;
	}
	while (!atomic_load(ch->stop)) {
		int r = bo_create_on(c, f, 4096, &bo);

		if (r == -ENODEV) {
			ch->enodev++;
			break;
		}
		ck_assert_int_eq(r, 0);
		ch->creates++;
		if (bo.handle > ch->seen_max)
			ch->seen_max = bo.handle;
		/* Write through the daemon's mapping, as a DMA model would. */
		{
			struct gp_gem_object *obj = gp_gem_object_lookup(f, bo.handle);

			ck_assert_ptr_nonnull(obj);
			((volatile unsigned char *)obj->vaddr)[0] = 1;
			gp_gem_object_put(&obj);
		}
		/* Keep a few, close the rest, so closes race creates and revoke. */
		if (ch->creates % 4) {
			r = gem_close_on(c, f, bo.handle, 0);
			if (r == -ENODEV) {
				ch->enodev++;
				break;
			}
			ck_assert_int_eq(r, 0);
		}
	}
	gp_file_close(&own);
out:
	gp_inproc_caller_free(&c);
	return NULL;
}

START_TEST(create_and_close_race_revoke)
{
	struct timespec ms = { .tv_nsec = 20 * 1000000 };
	struct churn ch[4] = { 0 };
	pthread_t t[4];
	atomic_int stop = 0;

	for (int i = 0; i < 4; i++) {
		ch[i].stop = &stop;
		ch[i].file = i < 2 ? file : NULL;	/* two share a file, two own theirs */
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn_thread, &ch[i]), 0);
	}
	nanosleep(&ms, NULL);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	/* Every thread sees the device gone (or had not started to create). */
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	/* Handles are unique per file: a shared file's handles never exceed what was live. */
	ck_assert_int_ge(ch[0].creates + ch[1].creates + ch[2].creates + ch[3].creates, 1);
	ck_assert_int_eq(atomic_load(&fake_record.releases), 1);
	/* The shared file still holds its handles; closing it frees them. */
	gp_file_close(&file);
	ck_assert_uint_eq(dev->gem_count, 0);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses),
			 atomic_load(&fake_record.opens));
}
END_TEST

struct closer {
	struct gp_file *file;
};

static void *close_thread(void *arg)
{
	struct closer *cl = arg;

	gp_file_close(&cl->file);
	return NULL;
}

START_TEST(file_closes_race_revoke_and_postclose_keeps_its_guarantee)
{
	enum { N = 8 };
	struct fake_bo_create bo;
	struct closer cl[N];
	pthread_t t[N];

	for (int i = 0; i < N; i++) {
		cl[i].file = NULL;
		ck_assert_int_eq(gp_file_open(dev, &user, GP_NODE_RENDER, &cl[i].file), 0);
		ck_assert_int_eq(bo_create_on(caller, cl[i].file, 4096, &bo), 0);
	}
	ck_assert_uint_eq(dev->gem_count, N);
	atomic_store(&fake_record.release_delay_us, 20000);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, close_thread, &cl[i]), 0);
	ck_assert_int_eq(gp_registration_revoke(reg), 0);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses), N);
	ck_assert_int_eq(atomic_load(&fake_record.postcloses_in_guard) +
			 atomic_load(&fake_record.postcloses_unplugged), N);
	ck_assert(!atomic_load(&fake_record.postclose_misplaced));
	ck_assert_uint_eq(dev->gem_count, 0);
}
END_TEST

struct deleter {
	struct gp_file *file;
	uint32_t handle;
	int result;
};

static void *delete_thread(void *arg)
{
	struct deleter *d = arg;

	d->result = gp_gem_handle_delete(d->file, d->handle);
	return NULL;
}

/*
 * PRIME import looks objects up by inode.  An object whose last reference
 * went is still listed until its release unlinks it under dev->gem_lock;
 * the lookup must not revive it (a plain get would hand out a reference to
 * memory about to be freed).  The test holds gem_lock so that the last put
 * stops right there, then looks the object up first.
 */
START_TEST(prime_lookup_never_revives_a_dying_object)
{
	struct timespec ms = { .tv_nsec = 1000000 };

	for (int i = 0; i < 20; i++) {
		struct deleter d = { .file = file, .handle = bo_create(4096) };
		struct gp_gem_object *obj = gp_gem_object_lookup(file, d.handle), *found;
		struct stat st;
		pthread_t t;

		ck_assert_int_eq(fstat(obj->memfd, &st), 0);
		gp_gem_object_put(&obj);	/* the handle holds the last reference */
		obj = gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino);
		ck_assert_ptr_nonnull(obj);	/* alive: found */
		gp_gem_object_put(&obj);

		pthread_mutex_lock(&dev->gem_lock);
		obj = NULL;
		/* Find it again without a reference, only to watch its count. */
		{
			struct gp_gem_object *o;

			cds_list_for_each_entry(o, &dev->gem_objects, dev_link)
				if (o->ino == st.st_ino)
					obj = o;
		}
		ck_assert_ptr_nonnull(obj);
		ck_assert_int_eq(pthread_create(&t, NULL, delete_thread, &d), 0);
		while (uatomic_read(&obj->ref.refcount) != 0)
			nanosleep(&ms, NULL);
		/* The deleter now waits for gem_lock inside the object's release. */
		pthread_mutex_unlock(&dev->gem_lock);
		found = gp_gem_lookup_by_inode(dev, st.st_dev, st.st_ino);
		ck_assert_ptr_null(found);
		pthread_join(t, NULL);
		ck_assert_int_eq(d.result, 0);
	}
	ck_assert_uint_eq(dev->gem_count, 0);
}
END_TEST

static Suite *gem_suite(void)
{
	Suite *s = suite_create("gem");
	TCase *tc = tcase_create("objects");
	TCase *tr = tcase_create("concurrency");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, handles_start_at_one_and_reuse_the_lowest_free);
	tcase_add_test(tc, gem_close_twice_or_unknown_is_einval);
	tcase_add_test(tc, another_files_handle_is_not_ours);
	tcase_add_test(tc, lookup_by_offset_inside_the_object_only);
	tcase_add_test(tc, prime_import_lookup_finds_the_same_object);
	tcase_add_test(tc, memfd_is_sealed_against_resize);
	tcase_add_test(tc, zero_and_huge_sizes_are_einval);
	/* Fifteen 64 GiB objects, each mapped whole. */
	if (address_space_holds(16 * GP_GEM_MAX_SIZE))
		tcase_add_test(tc, offset_space_exhaustion_is_enospc_and_first_fit_reuses);
	else
		printf("SKIP: offset_space_exhaustion_is_enospc_and_first_fit_reuses: this process "
		       "cannot map 1 TiB (user-mode emulation?)\n");
	tcase_add_test(tc, handle_limit_is_enospc_byte_limit_is_enomem);
	tcase_add_test(tc, file_close_drops_its_handles);
	tcase_add_test(tc, handle_create_on_a_closed_file_is_enodev);
	tcase_add_test(tc, object_outlives_revoke_and_keeps_the_device);
	tcase_add_test(tc, device_is_freed_by_its_last_object);
	tcase_add_test(tc, open_runs_in_a_guard_and_its_failure_undoes_the_open);
	tcase_add_test(tc, postclose_runs_in_a_guard_while_registered);
	tcase_add_test(tc, postclose_waits_for_release_once_unplugged);
	tcase_add_test(tc, prime_raw_ioctls_are_eopnotsupp);
	tcase_add_test(tc, without_gem_close_is_eopnotsupp_and_prime_cap_is_zero);
	tcase_add_test(tc, embedded_object_is_freed_through_its_funcs);
	tcase_add_test(tc, ratelimit_allows_a_burst_then_counts_the_rest);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_add_test(tr, create_and_close_race_revoke);
	tcase_add_test(tr, file_closes_race_revoke_and_postclose_keeps_its_guarantee);
	tcase_add_test(tr, prime_lookup_never_revives_a_dying_object);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	return gp_check_run(gem_suite());
}
