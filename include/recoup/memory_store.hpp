// recoup: an in-memory store satisfying recovery_store (its transactions also satisfy
// workflow_transaction), for tests and for embedders who bring no database. Transactions are
// serialized (one at a time) and work on a copy of the state that commit() publishes, so a
// transaction destroyed without commit() leaves nothing behind.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/merchant_event.hpp>
#include <recoup/store.hpp>

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

RECOUP_BEGIN_NAMESPACE

class memory_store {
public:
    struct state {
        std::set<std::pair<std::string, std::string>> deliveries;
        std::map<std::string, intent_record> intents;                       // by id
        std::map<std::pair<std::string, std::string>, std::string> by_reference; // (profile, ref) -> id
        std::map<std::string, attempt_record> attempts;                      // by id
        std::map<std::string, task_record> tasks;                            // by id
        std::vector<event_record> events;
        std::vector<merchant_event> merchant_events; // what emit() was given, in order
    };

    class transaction {
    public:
        explicit transaction(memory_store& store) : store_(&store), lock_(store.mutex_), work_(store.state_) {}

        bool claim_delivery(const std::string& mca_id, const std::string& key)
        {
            return work_.deliveries.emplace(mca_id, key).second;
        }
        intent_record lock_or_create_intent(const intent_record& proposed)
        {
            auto [it, inserted] = work_.by_reference.try_emplace({proposed.profile_id, proposed.merchant_reference_id},
                                                                proposed.id);
            if (inserted) work_.intents[proposed.id] = proposed;
            return work_.intents.at(it->second);
        }
        std::optional<intent_record> find_intent(const std::string& payment_id)
        {
            auto it = work_.intents.find(payment_id);
            if (it == work_.intents.end()) return std::nullopt;
            return it->second;
        }
        void update_intent(const intent_record& intent) { work_.intents.at(intent.id) = intent; }
        std::optional<attempt_record> find_attempt(const std::string& payment_id, const std::string& connector_id)
        {
            for (const auto& [id, a] : work_.attempts)
                if (a.payment_id == payment_id && a.connector_payment_id == connector_id) return a;
            return std::nullopt;
        }
        std::vector<attempt_record> attempts_of(const std::string& payment_id)
        {
            std::vector<attempt_record> out;
            for (const auto& [id, a] : work_.attempts)
                if (a.payment_id == payment_id) out.push_back(a);
            std::stable_sort(out.begin(), out.end(),
                             [](const auto& x, const auto& y) { return x.created_at < y.created_at; });
            return out;
        }
        std::vector<attempt_record> credential_history(const std::string& credential_id, const std::string& network,
                                                       std::int64_t since)
        {
            std::vector<attempt_record> out;
            for (const auto& [id, a] : work_.attempts)
                if (a.credential_id == credential_id && a.network == network && a.created_at >= since)
                    out.push_back(a);
            std::stable_sort(out.begin(), out.end(),
                             [](const auto& x, const auto& y) { return x.created_at < y.created_at; });
            return out;
        }
        void insert_attempt(const attempt_record& a) { work_.attempts.emplace(a.id, a); }
        void update_attempt(const attempt_record& a) { work_.attempts.at(a.id) = a; }
        std::optional<task_record> find_task(const std::string& id)
        {
            auto it = work_.tasks.find(id);
            if (it == work_.tasks.end()) return std::nullopt;
            return it->second;
        }
        void upsert_task(const task_record& t) { work_.tasks[t.id] = t; }
        void finish_tasks(const std::string& payment_id, const std::string& business_status, std::int64_t now)
        {
            for (auto& [id, t] : work_.tasks) {
                if (t.payment_id != payment_id || !t.is_open()) continue;
                t.status = task_status_finish;
                t.business_status = business_status;
                t.updated_at = now;
            }
        }
        void append_event(const event_record& e) { work_.events.push_back(e); }
        // Keeps the merchant's events with the rest of the state: a rollback drops them too.
        void emit(const merchant_event& e) { work_.merchant_events.push_back(e); }
        void commit() { store_->state_ = std::move(work_); }

    private:
        memory_store* store_;
        std::unique_lock<std::mutex> lock_;
        state work_;
    };

    transaction begin()
    {
        if (auto fault = std::exchange(next_fault_, nullptr)) std::rethrow_exception(fault);
        return transaction(*this);
    }

    // The next begin() throws `fault` instead (a storage_error, say), so tests can see how a
    // caller copes with a failing store.
    void fail_next_begin(std::exception_ptr fault) { next_fault_ = std::move(fault); }

    // A copy of the committed state, for assertions and inspection.
    state snapshot() const
    {
        std::lock_guard<std::mutex> guard(mutex_);
        return state_;
    }

private:
    mutable std::mutex mutex_;
    state state_;
    std::exception_ptr next_fault_;
};

static_assert(recovery_store<memory_store>);
static_assert(workflow_transaction<memory_store::transaction>);
static_assert(merchant_event_sink<memory_store::transaction>);

RECOUP_END_NAMESPACE
