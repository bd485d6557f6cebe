/* SPDX-License-Identifier: MIT */
/* The versioned schema of the MariaDB store and the migrations that build it. */
#ifndef MD_SCHEMA_H
#define MD_SCHEMA_H

#include "mariadb-conn.h"

/*
 * md_schema_migrate - bring the database of `db` to the latest schema
 * version, applying each missing migration and recording it in
 * `schema_version`. Safe against other processes (or Galera nodes)
 * migrating the same database at the same time, without table locks.
 * Returns 0, POLYCHAT_ENOTSUP (the database was written by a newer
 * plugin: nothing is changed), or a negative status. Every failure is
 * logged naming the database.
 */
int md_schema_migrate(struct md_db *db);

/* md_schema_latest - the schema version this plugin writes. */
int md_schema_latest(void);

#endif /* MD_SCHEMA_H */
