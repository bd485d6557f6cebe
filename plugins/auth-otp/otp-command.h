/* SPDX-License-Identifier: MIT */
/* Auth method `otp`: handing a code to the operator's delivery program (an SMS gateway script), bounded in time. */
#ifndef OTP_COMMAND_H
#define OTP_COMMAND_H

#include <stddef.h>

/*
 * Run `program` with the arguments realm and subject, the code and a
 * newline on its standard input (never in its arguments or environment,
 * which other local users can read), its output discarded. It must exit
 * with status 0 within `timeout_ms`; otherwise its process group is
 * killed. Always reaped. Blocks: call it on a worker thread.
 * Returns 0, or POLYCHAT_EIO with `why` (why_len bytes) saying what
 * happened (exit status, signal, timeout, cannot start).
 */
int otp_command_run(const char *program, const char *realm, const char *subject,
	const char *code, unsigned timeout_ms, char *why, size_t why_len);

#endif /* OTP_COMMAND_H */
