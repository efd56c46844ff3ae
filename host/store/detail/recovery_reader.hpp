// recoupd's SOCI store, internal: how the read-only recovery queries (recovery_queries.cpp,
// recovery_summary.cpp) reach a pooled session, and the SQL they share.
#pragma once

#include "store/detail/pool.hpp"

#include <recoup/domain.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace recoupd {

struct recovery_reader {
    // Runs body(session) on a leased session, outside any transaction: plain reads, no row lock.
    template <class F>
    static decltype(auto) read(soci_store& store, F&& body)
    {
        return store.impl_->with_session(std::forward<F>(body));
    }
};

namespace store_detail {

// The value is the library's name of a status: plain letters, safe as an SQL literal.
inline std::string sql_literal(std::string_view plain) { return "'" + std::string(plain) + "'"; }

// A column of the payment's newest failed attempt (by created_at, id): `i` is its payment_intent.
inline std::string last_failure(std::string_view column)
{
    return "(SELECT a." + std::string(column) + " FROM payment_attempt a WHERE a.payment_id = i.id AND a.status = " +
           sql_literal(recoup::to_string(recoup::attempt_status::failure)) +
           " ORDER BY a.created_at DESC, a.id DESC LIMIT 1)";
}

} // namespace store_detail

} // namespace recoupd
