# SPDX-License-Identifier: MIT
# Primitives several suites share (JSON as the Python originals write it,
# Base64, a token bucket, the typed-line queue of the client halves, option
# reading): a convenience library each plugin links in. No protocol code.
noinst_LTLIBRARIES += %reldir%/libpccommon.la
%canon_reldir%_libpccommon_la_SOURCES = \
	%reldir%/pc-json.c %reldir%/pc-json.h \
	%reldir%/pc-base64.c %reldir%/pc-base64.h \
	%reldir%/pc-rate.c %reldir%/pc-rate.h \
	%reldir%/pc-lines.c %reldir%/pc-lines.h \
	%reldir%/pc-options.c %reldir%/pc-options.h
