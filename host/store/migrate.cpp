#include "store/migrate.hpp"

#include <soci/soci.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <stdexcept>

namespace recoupd {

namespace {

void ensure_table(soci::session& sql)
{
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations ("
           "version INTEGER PRIMARY KEY, name VARCHAR(255) NOT NULL, applied_at BIGINT NOT NULL)";
}

std::map<int, migration_state> applied(soci::session& sql)
{
    std::map<int, migration_state> out;
    migration_state row;
    long long at = 0;
    soci::statement st = (sql.prepare << "SELECT version, name, applied_at FROM schema_migrations",
                          soci::into(row.version), soci::into(row.name), soci::into(at));
    st.execute();
    while (st.fetch()) {
        row.applied_at = at;
        out[row.version] = row;
    }
    return out;
}

// One transaction per migration. SQLite: BEGIN IMMEDIATE takes the write lock up front;
// PostgreSQL: an advisory lock serializes two recoupd migrating at once.
void begin(soci::session& sql, backend b)
{
    if (b == backend::sqlite) {
        sql << "BEGIN IMMEDIATE";
    } else {
        sql << "BEGIN";
        sql << "SELECT pg_advisory_xact_lock(72656370)"; // any constant, the same in every recoupd
    }
}

const migration* find(backend b, int version)
{
    for (const auto& m : known_migrations(b))
        if (m.version == version) return &m;
    return nullptr;
}

template <class F>
void in_transaction(soci::session& sql, backend b, F&& body)
{
    begin(sql, b);
    try {
        body();
        sql << "COMMIT";
    } catch (...) {
        try {
            sql << "ROLLBACK";
        } catch (...) {
        }
        throw;
    }
}

void run(soci::session& sql, const migration& m, std::span<const std::string_view> statements,
         std::string_view direction)
{
    for (const auto& s : statements) {
        try {
            sql << std::string(s);
        } catch (const soci::soci_error& e) {
            throw std::runtime_error("migration " + std::to_string(m.version) + "_" + std::string(m.name) + " (" +
                                     std::string(direction) + ") failed: " + database_error_line(e.get_error_message()));
        }
    }
}

} // namespace

std::span<const migration> known_migrations(backend b) noexcept
{
    return store_detail::embedded_migrations(b == backend::postgresql);
}

std::vector<migration_state> migration_status(soci::session& sql, backend b)
{
    ensure_table(sql);
    auto rows = applied(sql);
    for (const auto& m : known_migrations(b))
        if (!rows.contains(m.version)) rows[m.version] = {m.version, std::string(m.name), std::nullopt};
    std::vector<migration_state> out;
    for (auto& [version, state] : rows) out.push_back(std::move(state));
    return out;
}

std::vector<migration_state> migrate_up(soci::session& sql, backend b)
{
    ensure_table(sql);
    std::vector<migration_state> done;
    for (const auto& m : known_migrations(b)) {
        bool ran = false;
        const long long now = std::time(nullptr);
        in_transaction(sql, b, [&] {
            if (applied(sql).contains(m.version)) return; // another process got there first
            run(sql, m, m.up, "up");
            const std::string name(m.name);
            sql << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (:v, :n, :a)",
                soci::use(m.version), soci::use(name), soci::use(now);
            ran = true;
        });
        if (ran) done.push_back({m.version, std::string(m.name), now});
    }
    return done;
}

std::vector<migration_state> migrate_down(soci::session& sql, backend b, int count)
{
    if (count < 0) throw std::invalid_argument("migrate down: the count must be 0 or more");
    ensure_table(sql);
    std::vector<migration_state> done;
    for (int i = 0; i < count; ++i) {
        std::optional<migration_state> reverted;
        in_transaction(sql, b, [&] {
            auto rows = applied(sql);
            if (rows.empty()) return;
            const auto& newest = rows.rbegin()->second;
            const auto* m = find(b, newest.version);
            if (m == nullptr)
                throw std::runtime_error("cannot revert migration " + std::to_string(newest.version) + "_" +
                                         newest.name + ": this recoupd does not know it (the database is newer)");
            run(sql, *m, m->down, "down");
            sql << "DELETE FROM schema_migrations WHERE version = :v", soci::use(m->version);
            reverted = newest;
        });
        if (!reverted) break;
        done.push_back(*reverted);
    }
    return done;
}

} // namespace recoupd
