// recoupd: the store's timeouts, so a slow or unreachable database costs a bounded wait (a 503 on
// the webhook path) instead of a stuck worker. docs/running-the-host.md, "Timeouts and limits".
#pragma once

#include <chrono>

namespace recoupd {

struct store_options {
    // PostgreSQL: set on every session (again after a reconnect); hitting one is a storage_error.
    std::chrono::milliseconds statement_timeout{5000};
    std::chrono::milliseconds lock_timeout{2000};
    // Waiting for a free pooled session.
    std::chrono::milliseconds pool_wait{5000};
    // libpq connect_timeout and TCP keepalives, unless the URL names them itself.
    std::chrono::seconds connect_timeout{5};
    std::chrono::seconds keepalive_idle{30};
    std::chrono::seconds keepalive_interval{10};
    int keepalive_count = 3;
    // SQLite: how long a writer waits for another one (BEGIN IMMEDIATE), before SQLITE_BUSY.
    std::chrono::milliseconds sqlite_busy_timeout{30000};
};

} // namespace recoupd
