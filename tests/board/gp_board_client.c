// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Virtual-board test client for the test-only personalities.
 *
 *   gp-board-client pl031-alarms N
 *       qemu-pl031: PL031_INFO (the peripheral ID must be 0x00141031), then
 *       N times: PL031_ALARM one second ahead, poll(2) for the event (10 s
 *       at most), read it and check its user_data and that the binding's
 *       interrupt count went up by one.  Prints the counts; exit 0 when all
 *       N alarms came back as events.
 *   gp-board-client virtio-info
 *       qemu-virtio-mmio: VIRTIO_INFO must show the virtio-mmio magic and
 *       QEMU's vendor ID, read through pread on the device fd.
 *   gp-board-client info-hammer pl031|virtio SECONDS
 *       the personality's INFO ioctl (register reads through the mapping or
 *       pread) in a loop while the device is unbound and rebound under it:
 *       every open and ioctl must succeed or fail with ENODEV, a file that
 *       saw ENODEV must see it again (it never comes back), then it is
 *       reopened.  Stops early when $GP_HAMMER_STOP_FILE exists.  Prints
 *       the counts; exit 1 on any other result or when nothing succeeded.
 *
 * The device is /dev/gpu-proto, or $GP_DEVICE.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <gpu-proto/gpu_proto_drm.h>

static int open_device(void)
{
	const char *dev = getenv("GP_DEVICE") ? getenv("GP_DEVICE") : "/dev/gpu-proto";
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "open %s: %s\n", dev, strerror(errno));
	return fd;
}

static int pl031_alarms(int n)
{
	struct gpu_proto_pl031_info info = { 0 };
	int fd = open_device();

	if (fd < 0)
		return 1;
	if (ioctl(fd, GPU_PROTO_IOCTL_PL031_INFO, &info) < 0) {
		fprintf(stderr, "PL031_INFO: %s\n", strerror(errno));
		return 1;
	}
	printf("pl031: periph_id 0x%08x, time %u, irqs so far %u\n", info.periph_id,
	       info.rtc_time, info.irqs);
	if (info.periph_id != 0x00141031u) {
		fprintf(stderr, "unexpected peripheral ID\n");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		struct gpu_proto_pl031_alarm req = { .user_data = 0xa1a0000u + (unsigned)i,
						     .seconds = 1 };
		struct gpu_proto_pl031_event_alarm ev;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t got;
		int r;

		if (ioctl(fd, GPU_PROTO_IOCTL_PL031_ALARM, &req) < 0) {
			fprintf(stderr, "PL031_ALARM #%d: %s\n", i, strerror(errno));
			return 1;
		}
		r = poll(&pfd, 1, 10000);
		if (r <= 0 || !(pfd.revents & POLLIN)) {
			fprintf(stderr, "alarm #%d: no event within 10 s (poll %d, revents 0x%x)\n", i,
				r, r > 0 ? pfd.revents : 0);
			return 1;
		}
		got = read(fd, &ev, sizeof(ev));
		if (got != (ssize_t)sizeof(ev) || ev.base.type != GPU_PROTO_PL031_EVENT_ALARM ||
		    ev.user_data != req.user_data) {
			fprintf(stderr, "alarm #%d: bad event (read %zd, type 0x%x, user_data 0x%llx)\n",
				i, got, got > 0 ? ev.base.type : 0,
				got > 0 ? (unsigned long long)ev.user_data : 0ull);
			return 1;
		}
		if (ev.irqs != info.irqs + (unsigned)i + 1) {
			fprintf(stderr, "alarm #%d: interrupt count %u, expected %u\n", i, ev.irqs,
				info.irqs + i + 1);
			return 1;
		}
		printf("alarm #%d: event at rtc %u, interrupts handled %u\n", i, ev.rtc_time,
		       ev.irqs);
	}
	close(fd);
	return 0;
}

static int virtio_info(void)
{
	struct gpu_proto_virtio_info info = { 0 };
	int fd = open_device();

	if (fd < 0)
		return 1;
	if (ioctl(fd, GPU_PROTO_IOCTL_VIRTIO_INFO, &info) < 0) {
		fprintf(stderr, "VIRTIO_INFO: %s\n", strerror(errno));
		return 1;
	}
	printf("virtio-mmio: magic 0x%08x version %u device %u vendor 0x%08x\n", info.magic,
	       info.version, info.device_id, info.vendor_id);
	close(fd);
	return info.magic == 0x74726976u && info.vendor_id == 0x554d4551u &&
	       (info.version == 1 || info.version == 2) ? 0 : 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int info_ioctl(int fd, bool pl031)
{
	struct gpu_proto_pl031_info pi;
	struct gpu_proto_virtio_info vi;
	int r;

	if (pl031) {
		r = ioctl(fd, GPU_PROTO_IOCTL_PL031_INFO, &pi);
		if (r == 0 && pi.periph_id != 0x00141031u) {
			fprintf(stderr, "PL031_INFO: peripheral ID 0x%08x\n", pi.periph_id);
			errno = EIO;
			return -1;
		}
	} else {
		r = ioctl(fd, GPU_PROTO_IOCTL_VIRTIO_INFO, &vi);
		if (r == 0 && vi.magic != 0x74726976u) {
			fprintf(stderr, "VIRTIO_INFO: magic 0x%08x\n", vi.magic);
			errno = EIO;
			return -1;
		}
	}
	return r;
}

static int info_hammer(bool pl031, double seconds)
{
	const char *dev = getenv("GP_DEVICE") ? getenv("GP_DEVICE") : "/dev/gpu-proto";
	const char *stop = getenv("GP_HAMMER_STOP_FILE");
	double until = now_s() + seconds;
	long ok = 0, enodev = 0, bad = 0;
	int fd = -1;

	while (now_s() < until && !(stop && access(stop, F_OK) == 0) && bad < 10) {
		if (fd < 0) {
			fd = open(dev, O_RDWR | O_CLOEXEC);
			if (fd < 0) {
				if (errno == ENODEV) {
					enodev++;
					usleep(5000);
					continue;
				}
				fprintf(stderr, "open %s: %s\n", dev, strerror(errno));
				bad++;
				continue;
			}
		}
		if (info_ioctl(fd, pl031) == 0) {
			ok++;
			continue;
		}
		if (errno != ENODEV) {
			fprintf(stderr, "INFO: %s\n", strerror(errno));
			bad++;
			continue;
		}
		enodev++;
		/* A revoked file stays revoked, whatever was bound since. */
		if (info_ioctl(fd, pl031) == 0 || errno != ENODEV) {
			fprintf(stderr, "INFO after ENODEV on the same file: %s\n",
				errno == ENODEV ? "succeeded" : strerror(errno));
			bad++;
		}
		close(fd);
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	printf("info-hammer %s: %ld ok, %ld ENODEV, %ld other\n", pl031 ? "pl031" : "virtio", ok,
	       enodev, bad);
	return bad == 0 && ok > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "info-hammer") &&
	    (!strcmp(argv[2], "pl031") || !strcmp(argv[2], "virtio")))
		return info_hammer(!strcmp(argv[2], "pl031"), atof(argv[3]));
	if (argc == 3 && !strcmp(argv[1], "pl031-alarms"))
		return pl031_alarms(atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "virtio-info"))
		return virtio_info();
	fprintf(stderr, "usage: gp-board-client pl031-alarms N | virtio-info | "
		"info-hammer pl031|virtio SECONDS\n");
	return 2;
}
