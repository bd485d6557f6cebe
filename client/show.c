/* SPDX-License-Identifier: MIT */
/* How the client prints what a suite shows: one escaped line per event. */
#include <stdio.h>
#include <string.h>

#include <polychat/host.h>

#include "show.h"

/* Print text with control bytes escaped so one event stays one line and
 * a peer cannot drive the terminal. UTF-8 above 0x7f passes through. */
static void put_escaped(const uint8_t *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint8_t b = text[i];
		if (b < 0x20 || b == 0x7f)
			printf("\\x%02x", b);
		else
			putchar(b);
	}
}

/* pc_show - see show.h. */
void pc_show(struct polychat_conn *conn, int kind, const char *from,
	const uint8_t *text, size_t len)
{
	switch (kind) {
	case POLYCHAT_UI_MESSAGE:
		putchar('<');
		put_escaped((const uint8_t *)(from ? from : "*"), from ? strlen(from) : 1);
		fputs("> ", stdout);
		break;
	case POLYCHAT_UI_ERROR:
		fputs("! ", stdout);
		break;
	case POLYCHAT_UI_READY:
		fputs("* ready\n", stdout);
		return;
	default:
		fputs("* ", stdout);
		break;
	}
	if (text)
		put_escaped(text, len);
	putchar('\n');
}
