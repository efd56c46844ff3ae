// recoupd: group commit. Webhooks that arrive together are applied in ONE database transaction,
// each inside its own SAVEPOINT, and every one is answered only after the shared COMMIT:
//   - a webhook whose statements fail rolls back to its savepoint and gets its own failure (503
//     for a storage error, 500 for anything else), the others go on;
//   - a COMMIT that fails answers every webhook of the batch 503 (storage_unavailable): none of
//     them is written;
//   - the batch is what is queued when the committer turns to it, up to max_batch: a lone
//     webhook is applied at once (there is no timer), and under load the batch grows by itself
//     while the previous one commits; a batch of one takes no SAVEPOINT (its failure rolls back
//     its own transaction);
//   - a webhook's answer is handed over only once its batch is finished (committed or failed):
//     a waiter woken early (by the previous batch's notification, or spuriously) keeps waiting.
// Verification and normalization stay on the HTTP workers (recoup::prepare_webhook); only
// recoup::apply_webhook runs here, on one committer thread with one pooled connection.
#pragma once

#include "store/soci_store.hpp"

#include <recoup/flow.hpp>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace recoupd {

// Webhooks in one transaction at most, unless `recoupd serve --group-commit N` says otherwise.
// 0 (one transaction per webhook, no committer) is the measured choice: on the benchmark machine
// (BENCHMARKS.md, `bench/run --layout`) CPU, not the WAL flush, limits throughput, and the one
// committer thread that serializes every batch's statements served 660-735 webhooks/s at 32
// connections where one transaction per webhook on 4-8 pooled connections served 1,779-1,865.
inline constexpr std::size_t default_group_commit = 0;

struct committer_options {
    // Webhooks in one transaction at most; 0: each webhook in its own transaction (no committer).
    std::size_t max_batch = default_group_commit;
    // Test hooks (set only by the test suites, through serve's environment): a webhook with this
    // event id fails inside its savepoint as a storage fault would; a batch holding a webhook
    // with the other fails its COMMIT.
    std::string fail_apply_event_id;
    std::string fail_commit_event_id;
    // Unit-test hook: runs on the committer thread after a batch is applied, just before its
    // COMMIT, once every waiter has been woken (as a late or spurious wake-up would).
    std::function<void()> before_commit;
};

class committer {
public:
    committer(soci_store& store, committer_options options);
    ~committer(); // finishes the batch in hand, then stops
    committer(const committer&) = delete;
    committer& operator=(const committer&) = delete;

    // Applies `w` in the next batch and waits for that batch's COMMIT (or its failure).
    // `endpoints`: the account's enabled merchant endpoints as cached with it (account_cache), so
    // its events are emitted without reading merchant_endpoint; null: they are read.
    recoup::result<recoup::recovery_result> apply(const recoup::normalized_webhook& w,
                                                  const recoup::recovery_account& account,
                                                  std::string_view raw_body, std::int64_t now,
                                                  const std::vector<std::string>* endpoints = nullptr);

    // Batches committed, and webhooks in them, since start (for tests and metrics).
    std::uint64_t batches() const;

private:
    struct job {
        const recoup::normalized_webhook* webhook;
        const recoup::recovery_account* account;
        const std::vector<std::string>* endpoints;
        std::string_view body;
        std::int64_t now;
        std::optional<recoup::result<recoup::recovery_result>> out; // written by the committer thread
        bool answered = false; // set under the mutex once the batch is finished: out is final
    };

    void run();
    void apply_batch(std::deque<job*>& batch);

    soci_store& store_;
    committer_options options_;
    mutable std::mutex mutex_;
    std::condition_variable queued_;
    std::condition_variable finished_;
    std::deque<job*> queue_;
    bool stopping_ = false;
    std::uint64_t batches_ = 0;
    std::thread thread_;
};

} // namespace recoupd
