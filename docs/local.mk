# SPDX-License-Identifier: MIT
# Documentation shipped with the distribution.
dist_doc_DATA += \
	%reldir%/ARCHITECTURE.md \
	%reldir%/BENCHMARKS.md \
	%reldir%/CONFIG.md \
	%reldir%/MARIADB.md \
	%reldir%/PLUGINS.md \
	%reldir%/RELIABILITY.md
