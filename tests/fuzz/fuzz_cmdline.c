/*
 * libFuzzer target: sentrydbg's command-line parsers
 * (src/debugger/client_parse.c): the command language of -c, --batch and
 * the prompt, and the argv of sentrydbg itself (NUL-separated in the
 * input).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debugger/client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[512];
	struct dbg_cmd *cmds;
	struct dbg_options o;
	char *argv[34];
	int n, argc = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (dbg_parse_script(text, size & 1, &cmds, &n, err, sizeof(err)) == 0)
		dbg_cmds_free(cmds, n);
	{
		char **words;

		if (dbg_split_words(text, &words, err, sizeof(err)) >= 0)
			dbg_words_free(words);
	}
	dbg_sig_parse(text);

	/* argv: the input split at NULs. */
	argv[0] = "sentrydbg";
	for (size_t i = 0; i < size && argc < 33;) {
		argv[argc++] = text + i;
		i += strlen(text + i) + 1;
	}
	argv[argc] = NULL;
	if (dbg_parse_argv(argc, argv, &o, err, sizeof(err)) == 0)
		dbg_options_free(&o);
	free(text);
	return 0;
}
