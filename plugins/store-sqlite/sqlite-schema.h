/* SPDX-License-Identifier: MIT */
/* The versioned schema of the SQLite store and the migrations that build it. */
#ifndef SQ_SCHEMA_H
#define SQ_SCHEMA_H

#include "sqlite-conn.h"

/*
 * sq_schema_migrate - bring the database of `db` to the latest schema
 * version, applying each missing migration in its own transaction and
 * recording it in `schema_version`. Safe against another process migrating
 * the same file at the same time. Returns 0, POLYCHAT_ENOTSUP (the file was
 * written by a newer plugin: nothing is changed), or a status as mapped by
 * sq_status. Every failure is logged naming the path.
 */
int sq_schema_migrate(struct sq_db *db);

/* sq_schema_latest - the schema version this plugin writes. */
int sq_schema_latest(void);

#endif /* SQ_SCHEMA_H */
