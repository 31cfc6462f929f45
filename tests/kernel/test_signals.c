/*
 * Tests of src/kernel/signals.c: signal names and numbers, dispositions
 * tables (sighand) and pending sets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fake_platform.h"
#include "kernel/signals.h"

#define TEST(f) cmocka_unit_test(f)
#define KNOWN_BUG(f) cmocka_unit_test(f)

static void sig_name_and_sig_parse_round_trip_every_signal(void **state)
{
	char buf[32];

	for (int sig = 1; sig <= SIG_MAX; sig++) {
		const char *name = sig_name(sig, buf, sizeof(buf));
		char with_prefix[40];

		assert_non_null(name);
		assert_int_equal(sig_parse(name), sig);
		snprintf(with_prefix, sizeof(with_prefix), "SIG%s", name);
		if (sig != 32 && sig != 33) /* numbers take no prefix */
			assert_int_equal(sig_parse(with_prefix), sig);
	}
}

static void sig_name_follows_kill_l_numbering(void **state)
{
	char buf[32];

	assert_string_equal(sig_name(SIGINT, buf, sizeof(buf)), "INT");
	assert_string_equal(sig_name(SIGCHLD, buf, sizeof(buf)), "CHLD");
	assert_string_equal(sig_name(SIGSYS, buf, sizeof(buf)), "SYS");
	assert_string_equal(sig_name(32, buf, sizeof(buf)), "32");
	assert_string_equal(sig_name(33, buf, sizeof(buf)), "33");
	assert_string_equal(sig_name(34, buf, sizeof(buf)), "RTMIN");
	assert_string_equal(sig_name(35, buf, sizeof(buf)), "RTMIN+1");
	assert_string_equal(sig_name(49, buf, sizeof(buf)), "RTMIN+15");
	assert_string_equal(sig_name(50, buf, sizeof(buf)), "RTMAX-14");
	assert_string_equal(sig_name(63, buf, sizeof(buf)), "RTMAX-1");
	assert_string_equal(sig_name(64, buf, sizeof(buf)), "RTMAX");
}

static void sig_name_of_an_invalid_signal_is_null(void **state)
{
	char buf[32];

	assert_null(sig_name(0, buf, sizeof(buf)));
	assert_null(sig_name(65, buf, sizeof(buf)));
	assert_null(sig_name(-1, buf, sizeof(buf)));
}

static void sig_parse_accepts_names_in_any_case_with_or_without_sig(void **state)
{
	assert_int_equal(sig_parse("INT"), SIGINT);
	assert_int_equal(sig_parse("SIGINT"), SIGINT);
	assert_int_equal(sig_parse("sigint"), SIGINT);
	assert_int_equal(sig_parse("Term"), SIGTERM);
	assert_int_equal(sig_parse("9"), SIGKILL);
	assert_int_equal(sig_parse("64"), 64);
	assert_int_equal(sig_parse("IOT"), SIGABRT);
	assert_int_equal(sig_parse("SIGPOLL"), SIGIO);
	assert_int_equal(sig_parse("RTMIN"), 34);
	assert_int_equal(sig_parse("sigrtmin+3"), 37);
	assert_int_equal(sig_parse("RTMAX-2"), 62);
	assert_int_equal(sig_parse("SIGRTMAX"), 64);
	assert_int_equal(sig_parse("RTMIN+30"), 64);
}

static void sig_parse_rejects_what_is_not_a_signal(void **state)
{
	static const char *const bad[] = {
		"", "0", "65", "-1", "2x", "x2", "FOO", "SIG", "SIGSIGINT",
		" INT", "INT ", "RTMIN+", "RTMIN+31", "RTMIN-1", "RTMAX+1",
		"RTMAX-31", "RTMINX", "RTMIN+1x", "100000",
	};

	assert_int_equal(sig_parse(NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (sig_parse(bad[i]) != -EINVAL)
			fail_msg("sig_parse(\"%s\") = %d, want -EINVAL", bad[i],
				 sig_parse(bad[i]));
	}
}

/* 4294967298 is 2^32 + 2: truncated to int before the range check it
 * reads as SIGINT, so "kill 4294967298 PID" in the debugger would send
 * SIGINT. */
static void sig_parse_rejects_numbers_beyond_int(void **state)
{
	assert_int_equal(sig_parse("4294967298"), -EINVAL);
	assert_int_equal(sig_parse("18446744073709551617"), -EINVAL);
}

static void sighand_copy_is_independent_of_its_source(void **state)
{
	struct sighand *a = sighand_new(), *b;

	assert_non_null(a);
	a->actions[SIGUSR1 - 1].handler = 0x4000;
	b = sighand_copy(a);
	assert_non_null(b);
	assert_int_equal(b->refs, 1);
	assert_int_equal(b->actions[SIGUSR1 - 1].handler, 0x4000);
	b->actions[SIGUSR1 - 1].handler = (uint64_t)(uintptr_t)SIG_IGN;
	assert_int_equal(a->actions[SIGUSR1 - 1].handler, 0x4000);
	sighand_put(a);
	sighand_put(b);
}

static void exec_reset_makes_handlers_default_and_keeps_ignored(void **state)
{
	struct sighand *sh = sighand_new();
	struct sig_action *usr1, *usr2, *chld;

	assert_non_null(sh);
	usr1 = &sh->actions[SIGUSR1 - 1];
	usr2 = &sh->actions[SIGUSR2 - 1];
	chld = &sh->actions[SIGCHLD - 1];
	*usr1 = (struct sig_action){ 0x4000, SA_RESTART | SA_RESTORER,
				     0x5000, sig_bit(SIGINT) };
	*usr2 = (struct sig_action){ (uint64_t)(uintptr_t)SIG_IGN,
				     SA_RESTORER, 0x5000, 0 };
	*chld = (struct sig_action){ (uint64_t)(uintptr_t)SIG_IGN,
				     SA_NOCLDWAIT, 0, 0 };
	pthread_mutex_lock(&sh->mu);
	sighand_reset_for_exec_locked(sh);
	pthread_mutex_unlock(&sh->mu);

	assert_int_equal(usr1->handler, (uint64_t)(uintptr_t)SIG_DFL);
	assert_int_equal(usr1->flags, 0);
	assert_int_equal(usr1->restorer, 0);
	assert_int_equal(usr1->mask, 0);
	assert_int_equal(usr2->handler, (uint64_t)(uintptr_t)SIG_IGN);
	assert_int_equal(usr2->flags, 0);
	assert_int_equal(chld->handler, (uint64_t)(uintptr_t)SIG_IGN);
	sighand_put(sh);
}

static void sighand_lives_until_its_last_reference(void **state)
{
	struct sighand *sh = sighand_new();

	sighand_get(sh);
	assert_int_equal(sh->refs, 2);
	sighand_put(sh);
	assert_int_equal(sh->refs, 1);
	sighand_put(sh);
	sighand_put(NULL); /* accepted, as free(NULL) */
}

static void sig_is_rt_starts_at_32_and_only_kill_and_stop_are_unblockable(void **state)
{
	assert_false(sig_is_rt(31));
	assert_true(sig_is_rt(32));
	assert_true(sig_is_rt(64));
	assert_int_equal(SIG_UNBLOCKABLE,
			 (1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)));
	assert_int_equal(sig_bit(64), 1ULL << 63);
	assert_false(sig_valid(0));
	assert_true(sig_valid(64));
	assert_false(sig_valid(65));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		TEST(sig_name_and_sig_parse_round_trip_every_signal),
		TEST(sig_name_follows_kill_l_numbering),
		TEST(sig_name_of_an_invalid_signal_is_null),
		TEST(sig_parse_accepts_names_in_any_case_with_or_without_sig),
		TEST(sig_parse_rejects_what_is_not_a_signal),
		TEST(sig_parse_rejects_numbers_beyond_int),
		TEST(sighand_copy_is_independent_of_its_source),
		TEST(exec_reset_makes_handlers_default_and_keeps_ignored),
		TEST(sighand_lives_until_its_last_reference),
		TEST(sig_is_rt_starts_at_32_and_only_kill_and_stop_are_unblockable),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
