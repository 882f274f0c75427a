// libmariadb (Connector/C) for Swift: the headers plus static inline wrappers for what Swift
// cannot call directly (the variadic mariadb_rpl_optionsv and the mariadb_rpl_init macro).
#include <mysql.h>
#include <mariadb_rpl.h>

static inline MARIADB_RPL *cmdb_rpl_init(MYSQL *m) { return mariadb_rpl_init_ex(m, MARIADB_RPL_VERSION); }
static inline int cmdb_rpl_set_filename(MARIADB_RPL *r, const char *n, size_t l) { return mariadb_rpl_optionsv(r, MARIADB_RPL_FILENAME, n, l); }
static inline int cmdb_rpl_set_start(MARIADB_RPL *r, unsigned long p) { return mariadb_rpl_optionsv(r, MARIADB_RPL_START, p); }
static inline int cmdb_rpl_set_server_id(MARIADB_RPL *r, unsigned int i) { return mariadb_rpl_optionsv(r, MARIADB_RPL_SERVER_ID, i); }
static inline int cmdb_rpl_set_flags(MARIADB_RPL *r, unsigned int f) { return mariadb_rpl_optionsv(r, MARIADB_RPL_FLAGS, f); }
static inline int cmdb_rpl_set_u32(MARIADB_RPL *r, enum mariadb_rpl_option o, uint32_t v) { return mariadb_rpl_optionsv(r, o, v); }
