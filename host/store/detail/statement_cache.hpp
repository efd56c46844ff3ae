// recoupd's SOCI store, internal: statements prepared once per pooled session and run again with
// new bound values. On PostgreSQL a SOCI statement object is a server-side prepared statement
// (PQprepare once, then PQexecPrepared): without this cache each `sql.prepare << ...` cost a
// PREPARE, an EXECUTE and a DEALLOCATE, and each `sql << ...` a parse and plan. Entries are keyed
// by their SQL text, so a statement another file adds gains the cache by calling execute() or
// query_one() with its text and values instead of `sql << text, soci::use(...)`.
//
// Each entry owns the storage its placeholders and columns are bound to (SOCI binds by address),
// so a run copies the new values in and executes. A session's cache must be cleared before the
// session reconnects (soci_store::impl::reconnect does): its statements belong to the old
// connection.
#pragma once

#include "store/detail/rows.hpp"

#include <soci/soci.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace recoupd::store_detail {

// A nullable integer bound value (nullable is the text one).
struct nullable_number {
    long long value = 0;
    soci::indicator ind = soci::i_null;
};

namespace cache_detail {

template <class T>
void bind_use(soci::statement& st, T& v)
{
    st.exchange(soci::use(v));
}
inline void bind_use(soci::statement& st, nullable& v) { st.exchange(soci::use(v.value, v.ind)); }
inline void bind_use(soci::statement& st, nullable_number& v) { st.exchange(soci::use(v.value, v.ind)); }

// Lets a row's into(t), written for `sql << query, into(...)...` chains, bind its columns to a
// prepared statement instead.
struct into_binder {
    soci::statement& st;
    template <class I>
    into_binder& operator,(I&& i)
    {
        st.exchange(std::forward<I>(i));
        return *this;
    }
};

// For statements that return no rows.
struct no_row {
    template <class T>
    T& into(T& t)
    {
        return t;
    }
};

} // namespace cache_detail

class statement_cache {
    struct entry {
        virtual ~entry() = default;
    };

    template <class Row, class... T>
    struct prepared final : entry {
        std::tuple<T...> values;
        Row row;
        soci::statement st;

        prepared(soci::session& sql, const std::string& text) : st(sql)
        {
            cache_detail::into_binder binder{st};
            row.into(binder);
            std::apply([this](auto&... v) { (cache_detail::bind_use(st, v), ...); }, values);
            st.alloc();
            st.prepare(text);
            st.define_and_bind();
        }
    };

public:
    // Runs a statement that returns no rows; the number of rows it affected.
    template <class... T>
    long long execute(soci::session& sql, const std::string& text, const T&... values)
    {
        auto& e = entry_for<cache_detail::no_row, T...>(sql, text);
        e.values = std::tie(values...);
        return run(text, [&] {
            e.st.execute(true);
            return e.st.get_affected_rows();
        });
    }

    // The first row `text` returns (an INSERT ... RETURNING, a SELECT), none when it returns none.
    // The statement runs to its end, so on SQLite it holds no read open afterwards.
    template <class Row, class... T>
    std::optional<Row> query_one(soci::session& sql, const std::string& text, const T&... values)
    {
        auto& e = entry_for<Row, T...>(sql, text);
        e.values = std::tie(values...);
        return run(text, [&]() -> std::optional<Row> {
            if (!e.st.execute(true)) return std::nullopt;
            std::optional<Row> out(e.row);
            while (e.st.fetch()) {
            }
            return out;
        });
    }

    // Every row `text` returns, each mapped by Row::record().
    template <class Row, class... T>
    auto query_all(soci::session& sql, const std::string& text, const T&... values)
    {
        auto& e = entry_for<Row, T...>(sql, text);
        e.values = std::tie(values...);
        return run(text, [&] {
            std::vector<decltype(std::as_const(e.row).record())> out;
            if (e.st.execute(true)) {
                out.push_back(std::as_const(e.row).record());
                while (e.st.fetch()) out.push_back(std::as_const(e.row).record());
            }
            return out;
        });
    }

    std::size_t size() const noexcept { return entries_.size(); }

    // Forgets every statement (on PostgreSQL each is deallocated if the connection still answers;
    // SOCI swallows the error if not).
    void clear() noexcept { entries_.clear(); }

private:
    // A run that throws (a constraint, a lost connection) drops its statement: SOCI frees a run's
    // bound buffers only when the run completes or the statement goes, so keeping it would leak
    // them at its next run (LeakSanitizer saw it on PostgreSQL); the next use prepares it anew.
    template <class F>
    auto run(const std::string& text, F&& body)
    {
        try {
            return body();
        } catch (...) {
            entries_.erase(text);
            throw;
        }
    }

    template <class Row, class... T>
    prepared<Row, T...>& entry_for(soci::session& sql, const std::string& text)
    {
        auto it = entries_.find(text);
        if (it == entries_.end()) {
            // A statement that fails to prepare is not kept.
            it = entries_.emplace(text, std::make_unique<prepared<Row, T...>>(sql, text)).first;
        }
        auto* e = dynamic_cast<prepared<Row, T...>*>(it->second.get());
        if (e == nullptr) throw std::logic_error("one statement bound with two sets of types: " + text);
        return *e;
    }

    std::unordered_map<std::string, std::unique_ptr<entry>> entries_;
};

} // namespace recoupd::store_detail
