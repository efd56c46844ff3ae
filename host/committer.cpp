// recoupd: group commit (committer.hpp).
#include "committer.hpp"

#include <recoup/error.hpp>

#include <algorithm>
#include <tuple>
#include <utility>

namespace recoupd {

namespace {

const std::string savepoint_name = "webhook";

bool has_event_id(const recoup::normalized_webhook& w, const std::string& id)
{
    return !id.empty() && w.event_id && *w.event_id == id;
}

} // namespace

committer::committer(soci_store& store, committer_options options)
    : store_(store), options_(std::move(options)), thread_([this] { run(); })
{
}

committer::~committer()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    queued_.notify_all();
    thread_.join();
}

std::uint64_t committer::batches() const
{
    std::lock_guard lock(mutex_);
    return batches_;
}

recoup::result<recoup::recovery_result> committer::apply(const recoup::normalized_webhook& w,
                                                         const recoup::recovery_account& account,
                                                         std::string_view raw_body, std::int64_t now,
                                                         const std::vector<std::string>* endpoints)
{
    job j{&w, &account, endpoints, raw_body, now, std::nullopt};
    std::unique_lock lock(mutex_);
    if (stopping_) return recoup::fail(recoup::error::storage_unavailable, "", "the host is stopping");
    queue_.push_back(&j);
    queued_.notify_one();
    // Not j.out: the committer fills it in before the COMMIT, and a waiter woken meanwhile (by
    // the previous batch's notification, or spuriously) would answer 2xx for rows not yet
    // committed, and could leave while the committer still writes to j.
    finished_.wait(lock, [&] { return j.answered; });
    return std::move(*j.out);
}

void committer::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return; // stopping, nothing left
        std::deque<job*> batch;
        // A committer made with max_batch 0 (serve makes none then) still takes one at a time.
        while (!queue_.empty() && batch.size() < std::max<std::size_t>(1, options_.max_batch)) {
            batch.push_back(queue_.front());
            queue_.pop_front();
        }
        lock.unlock();
        apply_batch(batch);
        lock.lock();
        ++batches_;
        for (auto* j : batch) j->answered = true; // their out is final: committed, or failed
        finished_.notify_all();
    }
}

// Fills every job's out; never throws.
void committer::apply_batch(std::deque<job*>& batch)
{
    auto fail_all = [&](const std::string& why) {
        for (auto* j : batch) j->out = recoup::fail(recoup::error::storage_unavailable, "", why);
    };
    // One order for every batch of every process (MCA, then event id, then body): two hosts on
    // one database claim the same deliveries in the same order, so their batches wait for each
    // other instead of deadlocking.
    std::stable_sort(batch.begin(), batch.end(), [](const job* a, const job* b) {
        const auto key = [](const job* j) {
            return std::tie(j->account->mca_id, j->webhook->event_id, j->body);
        };
        return key(a) < key(b);
    });
    std::optional<soci_store::transaction> tx;
    try {
        tx.emplace(store_.begin());
    } catch (const std::exception& e) {
        fail_all(e.what());
        return;
    }
    bool fail_commit = false;
    // A batch of one needs no savepoint: its failure rolls back its own transaction, and the
    // lone webhook pays for no SAVEPOINT and RELEASE round trips.
    const bool alone = batch.size() == 1;
    for (auto* j : batch) {
        fail_commit = fail_commit || has_event_id(*j->webhook, options_.fail_commit_event_id);
        if (!alone) {
            try {
                tx->savepoint(savepoint_name);
            } catch (const std::exception& e) {
                fail_all(e.what()); // the transaction itself is broken: nothing of it commits
                return;
            }
        }
        try {
            if (j->endpoints) tx->use_endpoints(j->account->profile_id, *j->endpoints);
            auto out = recoup::apply_webhook(*tx, *j->webhook, *j->account, j->body, j->now);
            if (has_event_id(*j->webhook, options_.fail_apply_event_id))
                throw recoup::storage_error("database error: injected fault (test hook)");
            if (!alone) tx->release_savepoint(savepoint_name);
            j->out = std::move(out);
            continue;
        } catch (const recoup::exception& e) {
            j->out = e.get();
        } catch (const recoup::storage_error& e) {
            j->out = recoup::fail(recoup::error::storage_unavailable, "", e.what());
        } catch (const std::exception& e) {
            j->out = recoup::fail(recoup::error::internal_fault, "", e.what());
        }
        if (alone) return; // its whole transaction rolls back as tx goes: it was its only work
        // This webhook's work only is undone; the others' stays.
        try {
            tx->rollback_to_savepoint(savepoint_name);
            tx->release_savepoint(savepoint_name);
        } catch (const std::exception& e) {
            fail_all(e.what());
            return;
        }
    }
    if (options_.before_commit) {
        finished_.notify_all(); // as a late or spurious wake-up would: no waiter may answer yet
        options_.before_commit();
    }
    try {
        if (fail_commit) throw recoup::storage_error("database error: injected COMMIT failure (test hook)");
        tx->commit();
    } catch (const std::exception& e) {
        // Nothing of the batch is written (the transaction rolls back as tx goes): every webhook
        // that had succeeded now fails; those that had failed keep their own answer.
        for (auto* j : batch)
            if (*j->out) j->out = recoup::fail(recoup::error::storage_unavailable, "", e.what());
    }
}

} // namespace recoupd
