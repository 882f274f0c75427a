import CMariaDB

/// The libmariadb client version this binary runs with (e.g. `3.3.20`), for diagnostics.
public var libmariadbVersion: String { String(cString: mysql_get_client_info()) }
