/* SPDX-License-Identifier: MIT */
/* Status codes shared by the core and every plugin, generated from one list. */
#ifndef POLYCHAT_STATUS_H
#define POLYCHAT_STATUS_H

/*
 * Every function of the SDK returns 0 on success or one of these negative
 * codes. Codes are part of the ABI: a code never changes its value, new ones
 * are appended with the next free number (ABI minor bump).
 *
 * X(NAME, value, "message")
 */
#define POLYCHAT_STATUS_LIST(X)                                              \
	X(OK, 0, "success")                                                  \
	X(ENOMEM, -1, "out of memory")                                       \
	X(EINVAL, -2, "invalid argument")                                    \
	X(ENOTFOUND, -3, "not found")                                        \
	X(EEXIST, -4, "already exists")                                      \
	X(EIO, -5, "input/output error")                                     \
	X(EPROTO, -6, "protocol violation")                                  \
	X(ETOOBIG, -7, "too large")                                          \
	X(EABI, -8, "plugin ABI mismatch")                                   \
	X(ECLOSED, -9, "connection closed")                                  \
	X(EAUTH, -10, "authentication failed")                               \
	X(EDENIED, -11, "permission denied")                                 \
	X(EEXPIRED, -12, "expired")                                          \
	X(EBUSY, -13, "limit reached")                                       \
	X(ECONFIG, -14, "configuration error")                               \
	X(EUNAVAIL, -15, "backend unavailable")                              \
	X(ETIMEDOUT, -16, "timed out")                                       \
	X(ECRYPTO, -17, "cryptographic failure")                             \
	X(ENOTSUP, -18, "not supported")                                     \
	X(ECANCELED, -19, "canceled")                                        \
	X(ENOSPACE, -20, "no space left")

enum polychat_status {
#define POLYCHAT_STATUS_ENUM_(name, value, text) POLYCHAT_##name = (value),
	POLYCHAT_STATUS_LIST(POLYCHAT_STATUS_ENUM_)
#undef POLYCHAT_STATUS_ENUM_
};

/*
 * polychat_strerror - the message of a status code.
 * Any thread; never blocks; returns a static string ("unknown status" for a
 * value not in the list). Inline so that plugins need no core symbol.
 */
static inline const char *polychat_strerror(int status)
{
	switch (status) {
#define POLYCHAT_STATUS_CASE_(name, value, text) case (value): return text;
		POLYCHAT_STATUS_LIST(POLYCHAT_STATUS_CASE_)
#undef POLYCHAT_STATUS_CASE_
	}
	return "unknown status";
}

/*
 * polychat_status_name - the symbolic name of a status code ("EEXIST"),
 * "UNKNOWN" for a value not in the list. Any thread; never blocks.
 */
static inline const char *polychat_status_name(int status)
{
	switch (status) {
#define POLYCHAT_STATUS_NAME_(name, value, text) case (value): return #name;
		POLYCHAT_STATUS_LIST(POLYCHAT_STATUS_NAME_)
#undef POLYCHAT_STATUS_NAME_
	}
	return "UNKNOWN";
}

#endif /* POLYCHAT_STATUS_H */
