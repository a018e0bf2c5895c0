// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gpu-proto-info: what a gpu-proto device says about itself.
 *
 * Everything is queried first and printed afterwards, so an error leaves
 * stdout empty (no half-written JSON) and the message goes to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpuproto.h>

#ifndef GP_VERSION_STRING
#define GP_VERSION_STRING "unknown"
#endif

#define PROG "gpu-proto-info"

enum { EXIT_USAGE = 2 };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct info_cap {
	const char *name;
	uint64_t cap;
	bool supported;
	uint64_t value;
};

struct info {
	const char *path;
	struct gpc_version *version;
	struct info_cap caps[4];
	bool mali;
	struct gpu_proto_mali_gpu_info gpu;
	struct gpc_mali_gpu_id gpu_id;
	struct gpu_proto_mali_timestamp_info ts;
	uint8_t priorities;
};

static const char *const priority_names[] = { "low", "medium", "high", "realtime" };

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [OPTIONS]\n"
		"\n"
		"Print what a gpu-proto device reports: driver, capabilities, GPU\n"
		"identity, timestamp and allowed group priorities.\n"
		"\n"
		"Options:\n"
		"  -d, --device=PATH  device node (default: " GPC_DEFAULT_PATH ")\n"
		"  -j, --json         print one JSON object instead of text\n"
		"  -h, --help         show this help and exit\n"
		"      --version      show the version and exit\n");
}

static int fail(const struct info *in, const char *what, int r)
{
	fprintf(stderr, PROG ": %s: %s: %s\n", in->path, what, strerror(-r));
	return EXIT_FAILURE;
}

static int query_caps(struct gpc_device *dev, struct info *in)
{
	static const struct { const char *name; uint64_t cap; } caps[] = {
		{ "TIMESTAMP_MONOTONIC", GPU_PROTO_CAP_TIMESTAMP_MONOTONIC },
		{ "PRIME", GPU_PROTO_CAP_PRIME },
		{ "SYNCOBJ", GPU_PROTO_CAP_SYNCOBJ },
		{ "SYNCOBJ_TIMELINE", GPU_PROTO_CAP_SYNCOBJ_TIMELINE },
	};
	char what[64];
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++) {
		struct info_cap *c = &in->caps[i];

		c->name = caps[i].name;
		c->cap = caps[i].cap;
		r = gpc_get_cap(dev, c->cap, &c->value);
		if (r == -EOPNOTSUPP)
			continue;
		if (r < 0) {
			snprintf(what, sizeof(what), "GET_CAP %s", c->name);
			return fail(in, what, r);
		}
		c->supported = true;
	}
	return EXIT_SUCCESS;
}

static int query(struct gpc_device *dev, struct info *in)
{
	int r;

	r = gpc_get_version(dev, &in->version);
	if (r < 0)
		return fail(in, "VERSION", r);
	r = query_caps(dev, in);
	if (r != EXIT_SUCCESS)
		return r;

	/* The mali-csf queries only mean something to the panthor personality. */
	in->mali = strcmp(in->version->name, "panthor") == 0;
	if (!in->mali)
		return EXIT_SUCCESS;
	r = gpc_mali_gpu_info(dev, &in->gpu);
	if (r < 0)
		return fail(in, "DEV_QUERY GPU_INFO", r);
	gpc_mali_decode_gpu_id(in->gpu.gpu_id, &in->gpu_id);
	r = gpc_mali_timestamp(dev, &in->ts);
	if (r < 0)
		return fail(in, "DEV_QUERY TIMESTAMP_INFO", r);
	r = gpc_mali_group_priorities(dev, &in->priorities);
	if (r < 0)
		return fail(in, "DEV_QUERY GROUP_PRIORITIES_INFO", r);
	return EXIT_SUCCESS;
}

static const char *coherency_name(uint32_t c)
{
	switch (c) {
	case GPU_PROTO_MALI_GPU_COHERENCY_ACE_LITE:
		return "ACE-Lite";
	case GPU_PROTO_MALI_GPU_COHERENCY_ACE:
		return "ACE";
	case GPU_PROTO_MALI_GPU_COHERENCY_NONE:
		return "none";
	default:
		return "unknown";
	}
}

static int popcount64(uint64_t v)
{
	return __builtin_popcountll(v);
}

/* ------------------------------------------------------------------------ */
/* Text                                                                      */
/* ------------------------------------------------------------------------ */

static void print_mask(const char *name, uint64_t mask, int width, const char *one, const char *many)
{
	int n = popcount64(mask);

	printf("  %-26s 0x%0*" PRIx64 " (%d %s)\n", name, width, mask, n, n == 1 ? one : many);
}

static void print_reg(const char *name, uint32_t v)
{
	printf("  %-26s 0x%08" PRIx32 "\n", name, v);
}

/* A device string on a terminal: control characters shown as \xNN, not obeyed. */
static void print_safe(const char *label, const char *s)
{
	fputs(label, stdout);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			printf("\\x%02x", *p);
		else
			putchar(*p);
	}
	putchar('\n');
}

static void print_text(const struct info *in)
{
	const struct gpu_proto_mali_gpu_info *g = &in->gpu;
	const struct gpc_mali_gpu_id *id = &in->gpu_id;
	const char *sep = "";

	printf("Device:       %s\n", in->path);
	print_safe("Driver:       ", in->version->name);
	printf("Version:      %d.%d.%d\n", in->version->major, in->version->minor,
	       in->version->patchlevel);
	print_safe("Date:         ", in->version->date);
	print_safe("Description:  ", in->version->desc);

	printf("\nCapabilities:\n");
	for (size_t i = 0; i < ARRAY_SIZE(in->caps); i++) {
		if (in->caps[i].supported)
			printf("  %-20s %" PRIu64 "\n", in->caps[i].name, in->caps[i].value);
		else
			printf("  %-20s not supported\n", in->caps[i].name);
	}

	if (!in->mali) {
		printf("\nGPU: no mali-csf queries for this driver\n");
		return;
	}

	printf("\nGPU:\n");
	printf("  %-26s 0x%08" PRIx32 " (Mali arch %u.%u rev %u, product %u, r%up%u status %u)\n",
	       "gpu_id", g->gpu_id, id->arch_major, id->arch_minor, id->arch_rev,
	       id->product_major, id->version_major, id->version_minor, id->version_status);
	print_reg("gpu_rev", g->gpu_rev);
	print_reg("csf_id", g->csf_id);
	print_reg("l2_features", g->l2_features);
	print_reg("tiler_features", g->tiler_features);
	print_reg("mem_features", g->mem_features);
	printf("  %-26s 0x%08" PRIx32 " (%u-bit VA)\n", "mmu_features", g->mmu_features,
	       GPU_PROTO_MALI_MMU_VA_BITS(g->mmu_features));
	print_reg("thread_features", g->thread_features);
	printf("  %-26s %" PRIu32 "\n", "max_threads", g->max_threads);
	printf("  %-26s %" PRIu32 "\n", "thread_max_workgroup_size", g->thread_max_workgroup_size);
	printf("  %-26s %" PRIu32 "\n", "thread_max_barrier_size", g->thread_max_barrier_size);
	print_reg("coherency_features", g->coherency_features);
	printf("  %-26s %s (%" PRIu32 ")\n", "selected_coherency",
	       coherency_name(g->selected_coherency), g->selected_coherency);
	for (int i = 0; i < 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "texture_features[%d]", i);
		print_reg(name, g->texture_features[i]);
	}
	print_mask("as_present", g->as_present, 8, "address space", "address spaces");
	print_mask("shader_present", g->shader_present, 16, "core", "cores");
	print_mask("l2_present", g->l2_present, 16, "slice", "slices");
	print_mask("tiler_present", g->tiler_present, 16, "tiler", "tilers");
	print_reg("core_features", g->core_features);
	printf("  %-26s 0x%016" PRIx64 "\n", "gpu_features", (uint64_t)g->gpu_features);

	printf("\nTimestamp:\n");
	if (in->ts.timestamp_frequency)
		printf("  %-10s %" PRIu64 " Hz\n", "frequency", (uint64_t)in->ts.timestamp_frequency);
	else
		printf("  %-10s unknown\n", "frequency");
	printf("  %-10s %" PRIu64 "\n", "current", (uint64_t)in->ts.current_timestamp);
	printf("  %-10s %" PRIu64 "\n", "offset", (uint64_t)in->ts.timestamp_offset);

	printf("\nGroup priorities: 0x%" PRIx8 " (", in->priorities);
	for (size_t i = 0; i < ARRAY_SIZE(priority_names); i++) {
		if (in->priorities & (1u << i)) {
			printf("%s%s", sep, priority_names[i]);
			sep = ", ";
		}
	}
	printf("%s)\n", *sep ? "" : "none");
}

/* ------------------------------------------------------------------------ */
/* JSON                                                                      */
/* ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s, or 0 if it is not one. */
static size_t utf8_sequence(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		return 0;
	return n;
}

/* A JSON string: quotes, backslashes and controls escaped; invalid UTF-8 becomes U+FFFD. */
static void json_string(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	putchar('"');
	while (*s) {
		size_t n = utf8_sequence(s);

		if (n == 0) {
			fputs("\\ufffd", stdout);
			s++;
		} else if (n > 1) {
			fwrite(s, 1, n, stdout);
			s += n;
		} else {
			switch (*s) {
			case '"':  fputs("\\\"", stdout); break;
			case '\\': fputs("\\\\", stdout); break;
			case '\b': fputs("\\b", stdout); break;
			case '\f': fputs("\\f", stdout); break;
			case '\n': fputs("\\n", stdout); break;
			case '\r': fputs("\\r", stdout); break;
			case '\t': fputs("\\t", stdout); break;
			default:
				if (*s < 0x20 || *s == 0x7F)
					printf("\\u%04x", *s);
				else
					putchar(*s);
			}
			s++;
		}
	}
	putchar('"');
}

/*
 * A small pretty-printing writer: json_key() opens a member (with its comma
 * and indentation), the caller prints the value.
 */
struct json {
	int depth;
	bool first;
};

static void json_indent(const struct json *j)
{
	printf("\n%*s", 2 * j->depth, "");
}

static void json_key(struct json *j, const char *key)
{
	if (!j->first)
		putchar(',');
	j->first = false;
	json_indent(j);
	json_string(key);
	fputs(": ", stdout);
}

static void json_open(struct json *j, const char *key)
{
	if (key)
		json_key(j, key);
	putchar('{');
	j->depth++;
	j->first = true;
}

static void json_close(struct json *j)
{
	j->depth--;
	j->first = false;
	json_indent(j);
	putchar('}');
}

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	printf("%" PRIu64, v);
}

static void json_int(struct json *j, const char *key, int v)
{
	json_key(j, key);
	printf("%d", v);
}

static void json_str(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_string(s);
}

static void print_json(const struct info *in)
{
	const struct gpu_proto_mali_gpu_info *g = &in->gpu;
	const struct gpc_mali_gpu_id *id = &in->gpu_id;
	struct json j = { 0 };
	bool first = true;

	json_open(&j, NULL);
	json_str(&j, "device", in->path);

	json_open(&j, "driver");
	json_str(&j, "name", in->version->name);
	json_int(&j, "major", in->version->major);
	json_int(&j, "minor", in->version->minor);
	json_int(&j, "patchlevel", in->version->patchlevel);
	json_str(&j, "date", in->version->date);
	json_str(&j, "desc", in->version->desc);
	json_close(&j);

	/* An unsupported capability is null. */
	json_open(&j, "caps");
	for (size_t i = 0; i < ARRAY_SIZE(in->caps); i++) {
		json_key(&j, in->caps[i].name);
		if (in->caps[i].supported)
			printf("%" PRIu64, in->caps[i].value);
		else
			fputs("null", stdout);
	}
	json_close(&j);

	if (!in->mali) {
		json_key(&j, "gpu");
		fputs("null", stdout);
		json_key(&j, "timestamp");
		fputs("null", stdout);
		json_key(&j, "group_priorities");
		fputs("null", stdout);
		json_close(&j);
		putchar('\n');
		return;
	}

	json_open(&j, "gpu");
	json_u64(&j, "gpu_id", g->gpu_id);
	json_open(&j, "gpu_id_decoded");
	json_u64(&j, "arch_major", id->arch_major);
	json_u64(&j, "arch_minor", id->arch_minor);
	json_u64(&j, "arch_rev", id->arch_rev);
	json_u64(&j, "product_major", id->product_major);
	json_u64(&j, "version_major", id->version_major);
	json_u64(&j, "version_minor", id->version_minor);
	json_u64(&j, "version_status", id->version_status);
	json_close(&j);
	json_u64(&j, "gpu_rev", g->gpu_rev);
	json_u64(&j, "csf_id", g->csf_id);
	json_u64(&j, "l2_features", g->l2_features);
	json_u64(&j, "tiler_features", g->tiler_features);
	json_u64(&j, "mem_features", g->mem_features);
	json_u64(&j, "mmu_features", g->mmu_features);
	json_u64(&j, "va_bits", GPU_PROTO_MALI_MMU_VA_BITS(g->mmu_features));
	json_u64(&j, "thread_features", g->thread_features);
	json_u64(&j, "max_threads", g->max_threads);
	json_u64(&j, "thread_max_workgroup_size", g->thread_max_workgroup_size);
	json_u64(&j, "thread_max_barrier_size", g->thread_max_barrier_size);
	json_u64(&j, "coherency_features", g->coherency_features);
	json_u64(&j, "selected_coherency", g->selected_coherency);
	json_key(&j, "texture_features");
	printf("[%" PRIu32 ", %" PRIu32 ", %" PRIu32 ", %" PRIu32 "]",
	       g->texture_features[0], g->texture_features[1],
	       g->texture_features[2], g->texture_features[3]);
	json_u64(&j, "as_present", g->as_present);
	json_int(&j, "as_count", popcount64(g->as_present));
	json_u64(&j, "shader_present", g->shader_present);
	json_int(&j, "shader_core_count", popcount64(g->shader_present));
	json_u64(&j, "l2_present", g->l2_present);
	json_int(&j, "l2_slice_count", popcount64(g->l2_present));
	json_u64(&j, "tiler_present", g->tiler_present);
	json_int(&j, "tiler_count", popcount64(g->tiler_present));
	json_u64(&j, "core_features", g->core_features);
	json_u64(&j, "gpu_features", (uint64_t)g->gpu_features);
	json_close(&j);

	json_open(&j, "timestamp");
	json_u64(&j, "frequency", (uint64_t)in->ts.timestamp_frequency);
	json_u64(&j, "current", (uint64_t)in->ts.current_timestamp);
	json_u64(&j, "offset", (uint64_t)in->ts.timestamp_offset);
	json_close(&j);

	json_open(&j, "group_priorities");
	json_u64(&j, "allowed_mask", in->priorities);
	json_key(&j, "allowed");
	putchar('[');
	for (size_t i = 0; i < ARRAY_SIZE(priority_names); i++) {
		if (in->priorities & (1u << i)) {
			printf("%s", first ? "" : ", ");
			json_string(priority_names[i]);
			first = false;
		}
	}
	putchar(']');
	json_close(&j);

	json_close(&j);
	putchar('\n');
}

/* ------------------------------------------------------------------------ */
/* main                                                                      */
/* ------------------------------------------------------------------------ */

static const char *open_hint(int r)
{
	switch (r) {
	case -ENOENT:
	case -ENXIO:
	case -ENODEV:
		return " (is gpu-protod running?)";
	default:
		return "";
	}
}

int main(int argc, char **argv)
{
	enum { OPT_VERSION = 0x100 };
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ 0 },
	};
	struct info in = { .path = GPC_DEFAULT_PATH };
	struct gpc_device *dev = NULL;
	bool json = false;
	int c, r, status;

	while ((c = getopt_long(argc, argv, "d:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			in.path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case OPT_VERSION:
			printf(PROG " " GP_VERSION_STRING "\n");
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '" PROG " --help'.\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\nTry '" PROG " --help'.\n",
			argv[optind]);
		return EXIT_USAGE;
	}

	r = gpc_open(in.path, 0, &dev);
	if (r < 0) {
		fprintf(stderr, PROG ": open %s: %s%s\n", in.path, strerror(-r), open_hint(r));
		return EXIT_FAILURE;
	}
	status = query(dev, &in);
	if (status == EXIT_SUCCESS) {
		if (json)
			print_json(&in);
		else
			print_text(&in);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, PROG ": write error: %s\n", strerror(errno));
			status = EXIT_FAILURE;
		}
	}
	gpc_version_free(in.version);
	gpc_close(dev);
	return status;
}
