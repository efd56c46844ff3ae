// recoupd: schema migrations. The SQL of migrations/<backend>/NNNN_name/{up,down}.sql is embedded
// into the binary at build time (embed_migrations.py), so an installed recoupd needs no source
// tree. Each migration runs in its own transaction and is recorded in schema_migrations.
#pragma once

#include "store/database_url.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace soci {
class session;
}

namespace recoupd {

struct migration {
    int version;
    std::string_view name;
    std::span<const std::string_view> up;   // statements, in order
    std::span<const std::string_view> down;
};

namespace store_detail {
std::span<const migration> embedded_migrations(bool postgres) noexcept; // generated
}

// Every migration this binary knows for the backend, oldest first.
std::span<const migration> known_migrations(backend b) noexcept;

struct migration_state {
    int version = 0;
    std::string name;
    std::optional<std::int64_t> applied_at; // unix seconds; none: pending
};

// Known and applied migrations, by version (an applied one this binary does not know is listed
// too, with the name recorded when it ran).
std::vector<migration_state> migration_status(soci::session& sql, backend b);

// Applies every pending migration, oldest first; returns what it applied.
std::vector<migration_state> migrate_up(soci::session& sql, backend b);

// Reverts the `count` newest applied migrations, newest first; returns what it reverted.
std::vector<migration_state> migrate_down(soci::session& sql, backend b, int count);

} // namespace recoupd
