# SPDX-License-Identifier: MIT
# Primitives several suites share (JSON as the Python originals write it,
# Base64, a token bucket): a convenience library each plugin links in. No
# protocol code.
noinst_LTLIBRARIES += %reldir%/libpccommon.la
%canon_reldir%_libpccommon_la_SOURCES = \
	%reldir%/pc-json.c %reldir%/pc-json.h \
	%reldir%/pc-base64.c %reldir%/pc-base64.h \
	%reldir%/pc-rate.c %reldir%/pc-rate.h
