/*
 * fixture.h - what every kernel test file shares: each test runs in a fresh
 * fake world (a kernel on the fake platform, init as PID 1: fake_platform.h)
 * and fails when it leaves heap memory behind.
 *
 * A file lists its tests as TEST(name), or KNOWN_BUG(name) for a test that
 * shows a bug not fixed yet (CMakeLists.txt makes each a CTest test), and
 * runs them with KERNEL_TESTS_MAIN(tests, argc, argv). A file whose tests
 * need more than the default world defines KERNEL_TEST_SETUP as its own
 * setup function before including this header; that function starts with
 * kernel_test_setup().
 */
#ifndef SENTRY_TESTS_KERNEL_FIXTURE_H
#define SENTRY_TESTS_KERNEL_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_platform.h"

static inline int kernel_test_setup(void **state)
{
	return fake_world_setup(state);
}

static inline int kernel_test_teardown(void **state)
{
	long leaked = fake_world_teardown(*state);

	if (leaked > 0)
		fail_msg("%ld bytes leaked", leaked);
	return 0;
}

#ifndef KERNEL_TEST_SETUP
#define KERNEL_TEST_SETUP kernel_test_setup
#endif

#define TEST(f) \
	cmocka_unit_test_setup_teardown(f, KERNEL_TEST_SETUP, \
					kernel_test_teardown)
#define KNOWN_BUG(f) TEST(f)

/* Runs the table; with an argument, only the test it names (CTest runs
 * each test as its own process). */
#define KERNEL_TESTS_MAIN(tests, argc, argv)                            \
	((argc) > 1 ? cmocka_set_test_filter((argv)[1]) : (void)0,      \
	 cmocka_run_group_tests(tests, fake_group_setup, fake_group_teardown))

#endif
