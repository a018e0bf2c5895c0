// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The IOVA allocator (backends/iova.c): first fit from the bottom, holes
 * reused, the DMA mask as an inclusive limit, no wrap past the top of the
 * 64-bit space, and frees only of what was handed out.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>

#include "iova.h"
#include "check_run.h"

#define G 0x1000ull

static uint64_t alloc_ok(struct gp_iova_domain *d, uint64_t size, uint64_t limit)
{
	uint64_t iova = 0;

	ck_assert_int_eq(gp_iova_alloc(d, size, limit, &iova), 0);
	return iova;
}

START_TEST(test_iova_first_fit_from_the_bottom)
{
	struct gp_iova_domain d;

	gp_iova_domain_init(&d, 0x10000, G);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), 0x10000);
	ck_assert_uint_eq(alloc_ok(&d, 3 * G, UINT64_MAX), 0x11000);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), 0x14000);
	ck_assert_uint_eq(d.ranges, 3);
	ck_assert_uint_eq(d.bytes_used, 5 * G);
	gp_iova_domain_fini(&d);
	ck_assert_uint_eq(d.ranges, 0);
}
END_TEST

START_TEST(test_iova_never_hands_out_zero_and_aligns_the_start)
{
	struct gp_iova_domain d;

	gp_iova_domain_init(&d, 0, G);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), G);
	gp_iova_domain_fini(&d);
	gp_iova_domain_init(&d, 0x1234, G);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), 0x2000);
	gp_iova_domain_fini(&d);
}
END_TEST

START_TEST(test_iova_sizes_round_up_to_the_granule)
{
	struct gp_iova_domain d;

	gp_iova_domain_init(&d, G, G);
	ck_assert_uint_eq(alloc_ok(&d, 1, UINT64_MAX), G);
	ck_assert_uint_eq(alloc_ok(&d, G + 1, UINT64_MAX), 2 * G);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), 4 * G);
	ck_assert_uint_eq(d.bytes_used, 4 * G);
	gp_iova_domain_fini(&d);
}
END_TEST

START_TEST(test_iova_holes_are_filled_first_fit)
{
	struct gp_iova_domain d;
	uint64_t a, b, c;

	gp_iova_domain_init(&d, G, G);
	a = alloc_ok(&d, 2 * G, UINT64_MAX);
	b = alloc_ok(&d, 2 * G, UINT64_MAX);
	c = alloc_ok(&d, G, UINT64_MAX);
	ck_assert_int_eq(gp_iova_free(&d, b), 0);
	/* Too big for the hole: after the last range. */
	ck_assert_uint_eq(alloc_ok(&d, 3 * G, UINT64_MAX), c + G);
	/* Fits the hole: in it, at its start. */
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), b);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), b + G);
	/* The hole is full now. */
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), c + 4 * G);
	ck_assert_int_eq(gp_iova_free(&d, a), 0);
	ck_assert_uint_eq(alloc_ok(&d, 2 * G, UINT64_MAX), a);
	gp_iova_domain_fini(&d);
}
END_TEST

/* The limit is inclusive, as a DMA mask: a range may end exactly on it. */
START_TEST(test_iova_limit_is_an_inclusive_mask)
{
	struct gp_iova_domain d;
	uint64_t iova = 0;

	gp_iova_domain_init(&d, G, G);
	ck_assert_uint_eq(alloc_ok(&d, 2 * G, 3 * G - 1), G);
	ck_assert_int_eq(gp_iova_alloc(&d, G, 3 * G - 1, &iova), -ENOSPC);
	ck_assert_int_eq(gp_iova_alloc(&d, G, 3 * G - 2, &iova), -ENOSPC);
	ck_assert_uint_eq(alloc_ok(&d, G, 4 * G - 1), 3 * G);
	/* A limit below the domain's start: nothing at all. */
	ck_assert_int_eq(gp_iova_alloc(&d, G, G - 1, &iova), -ENOSPC);
	ck_assert_uint_eq(d.ranges, 2);
	gp_iova_domain_fini(&d);
}
END_TEST

/* At the top of the 64-bit space nothing wraps around to low addresses. */
START_TEST(test_iova_does_not_wrap_at_the_top)
{
	struct gp_iova_domain d;
	uint64_t iova = 0;

	gp_iova_domain_init(&d, UINT64_MAX - 2 * G + 1, G);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), UINT64_MAX - 2 * G + 1);
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), UINT64_MAX - G + 1);
	ck_assert_int_eq(gp_iova_alloc(&d, G, UINT64_MAX, &iova), -ENOSPC);
	gp_iova_domain_fini(&d);

	/* Sizes near 2^64 neither overflow the rounding nor the end. */
	gp_iova_domain_init(&d, G, G);
	ck_assert_int_eq(gp_iova_alloc(&d, UINT64_MAX, UINT64_MAX, &iova), -ENOSPC);
	ck_assert_int_eq(gp_iova_alloc(&d, UINT64_MAX - G + 2, UINT64_MAX, &iova), -ENOSPC);
	/* Exactly [G, 2^64): the whole space above the first granule. */
	ck_assert_int_eq(gp_iova_alloc(&d, UINT64_MAX - G + 1, UINT64_MAX, &iova), 0);
	ck_assert_uint_eq(iova, G);
	ck_assert_int_eq(gp_iova_alloc(&d, G, UINT64_MAX, &iova), -ENOSPC);
	gp_iova_domain_fini(&d);
}
END_TEST

START_TEST(test_iova_zero_size_is_einval)
{
	struct gp_iova_domain d;
	uint64_t iova = 0;

	gp_iova_domain_init(&d, G, G);
	ck_assert_int_eq(gp_iova_alloc(&d, 0, UINT64_MAX, &iova), -EINVAL);
	ck_assert_uint_eq(d.ranges, 0);
	gp_iova_domain_fini(&d);
}
END_TEST

/* Only the start of an allocated range frees it; anything else leaves it allocated. */
START_TEST(test_iova_free_of_a_non_start_is_enoent)
{
	struct gp_iova_domain d;
	uint64_t a;

	gp_iova_domain_init(&d, G, G);
	a = alloc_ok(&d, 2 * G, UINT64_MAX);
	ck_assert_int_eq(gp_iova_free(&d, a + G), -ENOENT);
	ck_assert_int_eq(gp_iova_free(&d, a + 1), -ENOENT);
	ck_assert_int_eq(gp_iova_free(&d, 0x100000), -ENOENT);
	ck_assert_uint_eq(d.ranges, 1);
	ck_assert_uint_eq(d.bytes_used, 2 * G);
	/* Still taken: the next allocation goes after it. */
	ck_assert_uint_eq(alloc_ok(&d, G, UINT64_MAX), a + 2 * G);
	ck_assert_int_eq(gp_iova_free(&d, a), 0);
	ck_assert_int_eq(gp_iova_free(&d, a), -ENOENT);	/* double free */
	ck_assert_uint_eq(d.bytes_used, G);
	gp_iova_domain_fini(&d);
}
END_TEST

static Suite *iova_suite(void)
{
	Suite *s = suite_create("iova");
	TCase *tc = tcase_create("alloc");

	tcase_add_test(tc, test_iova_first_fit_from_the_bottom);
	tcase_add_test(tc, test_iova_never_hands_out_zero_and_aligns_the_start);
	tcase_add_test(tc, test_iova_sizes_round_up_to_the_granule);
	tcase_add_test(tc, test_iova_holes_are_filled_first_fit);
	tcase_add_test(tc, test_iova_limit_is_an_inclusive_mask);
	tcase_add_test(tc, test_iova_does_not_wrap_at_the_top);
	tcase_add_test(tc, test_iova_zero_size_is_einval);
	tcase_add_test(tc, test_iova_free_of_a_non_start_is_enoent);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return gp_check_run(iova_suite());
}
