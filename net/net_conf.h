/* net_conf.h: the server's configuration file and settings: dreambase.conf (or --config FILE)
 * in postgresql.conf's syntax, `-c name=value` and the program's own flags.
 *   # a comment                     name = value        name value       (the '=' is optional)
 *   name = 'quoted, with '' or \' and \n'               include 'other.conf'
 *   include_if_exists 'x.conf'      include_dir is not supported
 * A name is a letter or '_' then letters, digits, '_', '.' or '$'; a value is a quoted string,
 * a number with an optional unit (5s, 100ms, 64MB) or a bare word. Names are case-insensitive.
 * Owns:    a net_conf: the value in force of every server setting (its canonical text) and
 *          where it came from, plus the session defaults the file gives (statement_timeout,
 *          TimeZone, ...: any setting the SQL layer knows), which it publishes with
 *          sql_setting_set_default().
 * Core:    off the shards (the main thread, at start and on SIGHUP).
 * Memory:  a net_conf is one fixed-size struct (values in place) plus a list of session
 *          defaults; net_conf_free() releases the list.
 * Errors:  F0000 for a file that cannot be read, a syntax error or an include too deep; 42704
 *          for an unknown name; 22023 for a bad value. From a file the message names the file
 *          and line, as PostgreSQL's: `unrecognized configuration parameter "x" in file
 *          "/d/dreambase.conf" line 3`, `syntax error in file "..." line 4, near token "'"`.
 * Limits:  NET_CONF_FILE_BYTES_MAX, NET_CONF_VALUE_BYTES_MAX, NET_CONF_INCLUDE_DEPTH_MAX,
 *          NET_CONF_SESSION_MAX. */
#ifndef NET_CONF_H
#define NET_CONF_H

#include <stdbool.h>
#include <stdint.h>

#include "runtime/rt_err.h"

/* A configuration file larger than this is refused: it is read whole, and real ones are a few
 * kilobytes (PostgreSQL's sample is 30 kB). */
#define NET_CONF_FILE_BYTES_MAX (1u << 20)
/* A value (paths, address lists) at most; longer is 22023. */
#define NET_CONF_VALUE_BYTES_MAX 1024u
/* include nesting (PostgreSQL allows 10 levels). */
#define NET_CONF_INCLUDE_DEPTH_MAX 10u
/* Session defaults (settings of the SQL layer) one configuration may give. */
#define NET_CONF_SESSION_MAX 256u

/* The file written into a new data directory. */
#define NET_CONF_FILE_NAME "dreambase.conf"

/* The server's own settings. Session settings (statement_timeout, ...) are not listed here:
 * they are passed on to the SQL layer by name. */
typedef enum net_conf_id {
    NET_CONF_LISTEN_ADDRESSES,
    NET_CONF_PORT,
    NET_CONF_UNIX_SOCKET_DIRECTORIES,
    NET_CONF_MAX_CONNECTIONS,
    NET_CONF_SHARDS,
    NET_CONF_SPIN_US,
    NET_CONF_SSL,
    NET_CONF_SSL_CERT_FILE,
    NET_CONF_SSL_KEY_FILE,
    NET_CONF_HBA_FILE,
    NET_CONF_AUTHENTICATION_TIMEOUT,
    NET_CONF_MAX_MESSAGE_SIZE,
    NET_CONF_LOG_MIN_MESSAGES,
    NET_CONF_AUTOVACUUM,
    NET_CONF_COUNT
} net_conf_id;

typedef enum net_conf_source {
    NET_CONF_SOURCE_DEFAULT = 0,
    NET_CONF_SOURCE_FILE,
    NET_CONF_SOURCE_COMMAND_LINE,  /* wins over the file, on start and on reload */
} net_conf_source;

typedef struct net_conf_session {
    char name[64];
    char value[NET_CONF_VALUE_BYTES_MAX];
    net_conf_source source;
} net_conf_session;

typedef struct net_conf {
    char values[NET_CONF_COUNT][NET_CONF_VALUE_BYTES_MAX]; /* canonical text */
    int64_t numbers[NET_CONF_COUNT];      /* integers in their base unit; bools 0/1 */
    net_conf_source sources[NET_CONF_COUNT];
    net_conf_session *session;            /* session defaults, in the order given */
    uint32_t session_count;
} net_conf;

/* The boot values (what an empty dreambase.conf means). */
void net_conf_init(net_conf *conf);
void net_conf_free(net_conf *conf);

/* One setting, from `source`: a server setting is validated here, any other name is checked
 * by the SQL layer (42704 when it knows none). A value from the file never replaces one from
 * the command line. */
bool net_conf_set(net_conf *conf, const char *name, const char *value, net_conf_source source,
                  rt_err *err);
/* "name=value" of -c (dashes in the name read as underscores, as PostgreSQL does). */
bool net_conf_set_arg(net_conf *conf, const char *arg, rt_err *err);

/* Reads a configuration file into conf (NET_CONF_SOURCE_FILE); the first error stops it. */
bool net_conf_load_file(net_conf *conf, const char *path, rt_err *err);
/* The same from text already in memory; `path` names it in errors and anchors includes. */
bool net_conf_load_text(net_conf *conf, const char *text, uint32_t len, const char *path,
                        rt_err *err);

/* Copies the command-line values of `from` into `to` (a reload re-reads the file, then these
 * win again). */
bool net_conf_copy_command_line(net_conf *to, const net_conf *from, rt_err *err);

const char *net_conf_str(const net_conf *conf, net_conf_id id);
int64_t net_conf_int(const net_conf *conf, net_conf_id id);
const char *net_conf_name(net_conf_id id);
/* True when the setting takes effect on SIGHUP (otherwise a change needs a restart). */
bool net_conf_reloadable(net_conf_id id);

/* Publishes every setting the SQL layer knows (server ones for SHOW, session defaults for new
 * sessions) with sql_setting_set_default(). */
bool net_conf_publish(const net_conf *conf, rt_err *err);

/* Writes the commented defaults (every setting, each line commented out) to `path`, only if
 * no file is there; 58030 if it cannot be written. */
bool net_conf_write_default(const char *path, rt_err *err);

#endif
