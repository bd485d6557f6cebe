# SPDX-License-Identifier: MIT
# Manual pages.
dist_man_MANS = %reldir%/polychatd.8 %reldir%/polychatctl.8 %reldir%/polychat.1
