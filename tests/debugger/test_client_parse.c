/*
 * Tests of sentrydbg's command language and command line
 * (src/debugger/client_parse.c) and of its text output
 * (src/debugger/client_render.c).
 *
 * Run one test: test_client_parse NAME.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "debugger/client.h"

#define T(name) static void name(void **state)

static struct dbg_cmd *parse_ok(const char *text, int want)
{
	struct dbg_cmd *cmds;
	char err[512];
	int n;

	if (dbg_parse_script(text, false, &cmds, &n, err, sizeof(err)) < 0)
		fail_msg("'%s' did not parse: %s", text, err);
	assert_int_equal(n, want);
	return cmds;
}

static void parse_err(const char *text, const char *msg)
{
	struct dbg_cmd *cmds;
	char err[512];
	int n;

	assert_int_equal(dbg_parse_script(text, false, &cmds, &n, err,
					  sizeof(err)),
			 -EINVAL);
	if (!strstr(err, msg))
		fail_msg("'%s': error '%s' lacks '%s'", text, err, msg);
}

static long long arg(struct dbg_cmd *c, const char *key)
{
	return (long long)json_integer_value(json_object_get(c->args, key));
}

T(scripts_split_on_semicolons_and_newlines)
{
	struct dbg_cmd *c = parse_ok("pause; dump --json bug.json; resume\n"
				     "# a comment\n\n  ps --json ;;", 4);

	assert_string_equal(c[0].def->name, "pause");
	assert_string_equal(c[1].def->name, "dump");
	assert_string_equal(c[1].file, "bug.json");
	assert_true(c[1].json);
	assert_string_equal(c[2].def->name, "resume");
	assert_string_equal(c[3].def->name, "ps");
	assert_true(c[3].json);
	assert_int_equal(c[3].line, 4);
	dbg_cmds_free(c, 4);
}

T(tid_commands_take_one_positive_number)
{
	struct dbg_cmd *c = parse_ok("task 12; regs 1 --json", 2);

	assert_int_equal(arg(&c[0], "tid"), 12);
	assert_true(c[1].json);
	dbg_cmds_free(c, 2);
	parse_err("task", "missing argument");
	parse_err("task 1 2", "too many arguments");
	parse_err("task abc", "invalid TID 'abc'");
	parse_err("task -3", "invalid TID");
	parse_err("task 0x10", "invalid TID");
	parse_err("stop 99999999999", "invalid TID");
}

T(kill_targets_signals_and_siginfo_fields)
{
	struct dbg_cmd *c = parse_ok("kill 5 TERM; kill g:7 SIGUSR1 code=SI_QUEUE "
				     "value=-3 pid=1 uid=1000; kill p:2 RTMIN+2",
				     3);

	assert_string_equal(json_string_value(json_object_get(c[0].args, "target")),
			    "task");
	assert_int_equal(arg(&c[0], "signal"), SIGTERM);
	assert_string_equal(json_string_value(json_object_get(c[1].args, "target")),
			    "tg");
	assert_int_equal(arg(&c[1], "id"), 7);
	assert_int_equal(arg(&c[1], "code"), SI_QUEUE);
	assert_int_equal(arg(&c[1], "value"), -3);
	assert_int_equal(arg(&c[1], "uid"), 1000);
	assert_string_equal(json_string_value(json_object_get(c[2].args, "target")),
			    "pgrp");
	assert_int_equal(arg(&c[2], "signal"), 36);
	dbg_cmds_free(c, 3);
	parse_err("kill 5 BOGUS", "bad signal 'BOGUS'");
	parse_err("kill x:5 TERM", "bad target 'x:5'");
	parse_err("kill 5 TERM colour=red", "unknown siginfo field 'colour'");
	parse_err("kill 5 TERM pid=1 pid=2", "pid given twice");
	parse_err("kill 5 TERM code=WHAT", "bad code 'WHAT'");
}

T(signal_names_round_trip_like_the_kernel)
{
	char buf[16];

	assert_int_equal(dbg_sig_parse("INT"), SIGINT);
	assert_int_equal(dbg_sig_parse("sigint"), SIGINT);
	assert_int_equal(dbg_sig_parse("9"), 9);
	assert_int_equal(dbg_sig_parse("RTMIN"), 34);
	assert_int_equal(dbg_sig_parse("RTMAX-1"), 63);
	assert_int_equal(dbg_sig_parse("RTMIN-1"), -EINVAL);
	assert_int_equal(dbg_sig_parse("65"), -EINVAL);
	assert_int_equal(dbg_sig_parse(""), -EINVAL);
	for (int s = 1; s <= 64; s++) {
		dbg_sig_name(s, buf, sizeof(buf));
		assert_int_equal(dbg_sig_parse(buf), s);
	}
}

T(catch_info_delete_and_watch)
{
	struct dbg_cmd *c = parse_ok("catch signal INT; catch syscall getpid; "
				     "catch exec; info catch; delete 2; delete all; "
				     "watch clone exit --count 3",
				     7);

	assert_int_equal(arg(&c[0], "signal"), SIGINT);
	assert_string_equal(json_string_value(json_object_get(c[1].args, "syscall")),
			    "getpid");
	assert_string_equal(c[3].def->remote, "info-catch");
	assert_int_equal(arg(&c[4], "id"), 2);
	assert_true(json_is_true(json_object_get(c[5].args, "all")));
	assert_int_equal(c[6].count, 3);
	assert_int_equal(json_array_size(json_object_get(c[6].args, "events")), 2);
	dbg_cmds_free(c, 7);
	parse_err("catch fire", "unknown event 'fire'");
	parse_err("catch signal NOPE", "bad signal");
	parse_err("catch exec now", "takes no argument");
	parse_err("info breakpoints", "only 'info catch'");
	parse_err("watch everything", "unknown event");
	parse_err("watch --count 0", "--count needs");
}

T(dump_defaults_to_json_for_files_and_text_for_the_terminal)
{
	struct dbg_cmd *c = parse_ok("dump; dump out.json; dump --text out.txt", 3);

	assert_false(c[0].json);
	assert_null(c[0].file);
	assert_true(c[1].json);
	assert_false(c[2].json);
	assert_string_equal(c[2].file, "out.txt");
	dbg_cmds_free(c, 3);
	parse_err("dump --json --text", "choose one");
	parse_err("dump a b", "only one FILE");
	parse_err("dump --yaml", "unknown option");
}

T(quoting_and_errors_name_the_line)
{
	struct dbg_cmd *c = parse_ok("dump 'my dump.json'; dump \"a\\\"b\"; "
				     "dump a\\ b",
				     3);

	assert_string_equal(c[0].file, "my dump.json");
	assert_string_equal(c[1].file, "a\"b");
	assert_string_equal(c[2].file, "a b");
	dbg_cmds_free(c, 3);
	parse_err("ps\nps\nfrobnicate", "line 3: unknown command 'frobnicate'");
	parse_err("dump 'open", "unterminated ' quote");
	parse_err("ps --json --json x", "too many arguments");
}

T(command_line_options)
{
	struct dbg_options o;
	char err[256];
	char *a1[] = { "sentrydbg", "-c", "ps", "--command=tree", "-j", "box",
		       NULL };
	char *a2[] = { "sentrydbg", "-b", "f", "-c", "ps", NULL };
	char *a3[] = { "sentrydbg", "a", "b", NULL };
	char *a4[] = { "sentrydbg", "--bogus", NULL };
	char *a5[] = { "sentrydbg", "-c", NULL };
	char *a6[] = { "sentrydbg", "--", "-weird-name", NULL };

	assert_int_equal(dbg_parse_argv(6, a1, &o, err, sizeof(err)), 0);
	assert_string_equal(o.script, "ps\ntree");
	assert_true(o.json);
	assert_string_equal(o.target, "box");
	dbg_options_free(&o);
	assert_int_equal(dbg_parse_argv(5, a2, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(dbg_parse_argv(3, a3, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(dbg_parse_argv(2, a4, &o, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unknown option '--bogus'");
	assert_int_equal(dbg_parse_argv(2, a5, &o, err, sizeof(err)), -EINVAL);
	assert_int_equal(dbg_parse_argv(3, a6, &o, err, sizeof(err)), 0);
	assert_string_equal(o.target, "-weird-name");
	dbg_options_free(&o);
}

T(help_knows_every_command)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (const struct dbg_cmd_def *d = dbg_commands; d->name; d++)
		assert_int_equal(dbg_help(d->name, f), 0);
	assert_int_equal(dbg_help("nosuch", f), -1);
	fclose(f);
	assert_non_null(strstr(buf, "usage: kill TARGET SIGNAL"));
	free(buf);
}

T(ps_text_output_is_stable)
{
	struct dbg_cmd c = { .def = dbg_cmd_lookup("ps") };
	json_t *r = json_loads(
		"{\"tasks\":[{\"tid\":1,\"tgid\":1,\"ppid\":0,\"pgid\":1,\"sid\":1,"
		"\"state\":\"R\",\"stop_count\":0,\"comm\":\"init\","
		"\"cmdline\":[\"init\",\"-x\"]},"
		"{\"tid\":2,\"tgid\":2,\"ppid\":1,\"pgid\":1,\"sid\":1,"
		"\"state\":\"S\",\"stop_count\":0,\"comm\":\"cat\","
		"\"blocked\":\"read pipe:[4242]\",\"cmdline\":[\"cat\"]}]}",
		0, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	dbg_render(&c, r, f);
	fclose(f);
	assert_string_equal(buf,
			    "    TID    TGID    PPID    PGID     SID S STOP COMM             WAIT                             CMD\n"
			    "      1       1       0       1       1 R    0 init             -                                init -x\n"
			    "      2       2       1       1       1 S    0 cat              read pipe:[4242]                 cat\n");
	free(buf);
	json_decref(r);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scripts_split_on_semicolons_and_newlines),
		cmocka_unit_test(tid_commands_take_one_positive_number),
		cmocka_unit_test(kill_targets_signals_and_siginfo_fields),
		cmocka_unit_test(signal_names_round_trip_like_the_kernel),
		cmocka_unit_test(catch_info_delete_and_watch),
		cmocka_unit_test(dump_defaults_to_json_for_files_and_text_for_the_terminal),
		cmocka_unit_test(quoting_and_errors_name_the_line),
		cmocka_unit_test(command_line_options),
		cmocka_unit_test(help_knows_every_command),
		cmocka_unit_test(ps_text_output_is_stable),
	};

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
