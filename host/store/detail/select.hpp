// recoupd's SOCI store, internal: the one way it reads rows. A row type (see rows.hpp) gives the
// table and columns; the caller gives the condition, the bound keys, and whether to lock.
#pragma once

#include "store/database_url.hpp"
#include "store/detail/statement_cache.hpp"

#include <soci/soci.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recoupd::store_detail {

// Row locks last until the transaction ends. SQLite has none to take: BEGIN IMMEDIATE already
// holds the whole database for the writer.
enum class row_lock {
    none,
    for_update,  // wait for whoever holds the rows
    skip_locked, // pass over rows another instance holds
};

inline std::string select_query(std::string_view columns, std::string_view table, std::string_view condition,
                                backend b, row_lock lock)
{
    std::string query = "SELECT " + std::string(columns) + " FROM " + std::string(table) + " WHERE " +
                        std::string(condition);
    if (b == backend::postgresql && lock == row_lock::for_update) query += " FOR UPDATE";
    if (b == backend::postgresql && lock == row_lock::skip_locked) query += " FOR UPDATE SKIP LOCKED";
    return query;
}

// The first row of `Row`'s table meeting `condition` (its placeholders bound to `keys` in order).
template <class Row, class... Keys>
std::optional<Row> select_one(soci::session& sql, backend b, std::string_view condition, row_lock lock,
                              const Keys&... keys)
{
    Row row;
    const auto query = select_query(Row::columns(), Row::table, condition, b, lock);
    {
        auto once = (sql << query);
        (row.into(once), ..., soci::use(keys));
    }
    if (!sql.got_data()) return std::nullopt;
    return row;
}

// Every row meeting `condition` (which may order and limit them), each mapped by record().
template <class Row, class... Keys>
auto select_all(soci::session& sql, backend b, std::string_view condition, row_lock lock, const Keys&... keys)
{
    Row row;
    auto prepared = (sql.prepare << select_query(Row::columns(), Row::table, condition, b, lock));
    (row.into(prepared), ..., soci::use(keys));
    soci::statement st(prepared);
    st.execute();
    std::vector<decltype(std::as_const(row).record())> out;
    while (st.fetch()) out.push_back(std::as_const(row).record());
    return out;
}

// The same two reads through a session's statement cache (statement_cache.hpp): prepared on
// the session's first use, then only executed. The webhook path and the scheduler read this way.
template <class Row, class... Keys>
std::optional<Row> select_one(statement_cache& cache, soci::session& sql, backend b, std::string_view condition,
                              row_lock lock, const Keys&... keys)
{
    return cache.query_one<Row>(sql, select_query(Row::columns(), Row::table, condition, b, lock), keys...);
}

template <class Row, class... Keys>
auto select_all(statement_cache& cache, soci::session& sql, backend b, std::string_view condition, row_lock lock,
                const Keys&... keys)
{
    return cache.query_all<Row>(sql, select_query(Row::columns(), Row::table, condition, b, lock), keys...);
}

} // namespace recoupd::store_detail
