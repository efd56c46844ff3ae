// recoupd: the retry scheduler (docs/behaviour.md §5). It claims due process_tracker tasks with a lease
// (one transaction: take them FOR UPDATE SKIP LOCKED, mark them process_started until
// now + lease, commit), then runs each one:
//   EXECUTE_WORKFLOW      charge the stored token through the payment processor the billing
//                         MCA's billing_account_reference resolves to, then apply
//                         recoup::decide_after_charge() in one transaction;
//   PSYNC_WORKFLOW        poll a pending charge, recoup::decide_after_poll(), same application;
//   RECORD_BACK_WORKFLOW  report the outcome to the billing platform (retried with backoff).
// A task whose worker dies becomes due again when its lease expires; the internal attempt id is
// the processor's idempotency key, so a rerun never charges twice. The lease of each task runs
// from when that task starts (a long batch renews the later ones first). A processor answer that
// cannot be used is retried with backoff a bounded number of times (recoup::decide_after_fault).
// Each decision is one JSON line in the log (log.hpp). After its tasks, each drain delivers the
// merchant's outgoing webhooks that are due (scheduler/outbox.hpp).
#pragma once

#include "metrics.hpp"
#include "outbound/client.hpp"
#include "plugins.hpp"
#include "scheduler/outbox.hpp"
#include "store/soci_store.hpp"

#include <recoup/plugin/loader.hpp>
#include <recoup/retry.hpp>
#include <recoup/task.hpp>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace recoupd {

// Task names and ids, business statuses and tracking data: <recoup/task.hpp>.

struct scheduler_options {
    std::size_t batch = 50;
    std::int64_t lease_seconds = 300;       // a claimed task is due again after this
    std::int32_t processor_fault_tries = recoup::processor_fault_tries; // then the task is given up
    std::int32_t record_back_attempts = recoup::record_back_attempts; // then the record-back task finishes as failed
};

class scheduler {
public:
    scheduler(soci_store& store, const recoupd::plugins& plugins, const outbound::client& client,
              recoupd::metrics* metrics, scheduler_options options = {});

    using clock_fn = std::function<std::int64_t()>;

    // Claims up to `batch` tasks due at `now` and runs them. Returns how many were claimed.
    std::size_t run_once(std::int64_t now);
    // run_once() until nothing is due at `now`, then the outbox's due webhooks. Returns how many
    // tasks were claimed in all (deliveries(): how many webhooks were sent).
    std::size_t drain(std::int64_t now);
    // The same with a running clock: each task's lease and decisions take the time it starts.
    std::size_t drain(const clock_fn& clock);
    // Until `stop`: drain at clock(), then sleep `interval`. Storage failures are logged and retried.
    void loop(const std::function<std::int64_t()>& clock, const std::atomic<bool>& stop,
              std::chrono::milliseconds interval);
    // Outgoing webhooks sent by the drains so far.
    std::size_t deliveries() const noexcept { return deliveries_; }

    // What one run of a task came to, for its log line.
    struct note {
        std::optional<std::string> business_status;
        std::optional<int> status;        // the peer's HTTP status, when it answered
        std::optional<std::string> fault; // recoup::http_fault, when the answer was unusable
        std::optional<std::string> detail;
        bool error = false;               // logged at level error
    };

private:
    std::vector<recoup::task_record> claim(std::int64_t now);
    std::size_t run_batch(const clock_fn& clock);
    bool renew_claim(recoup::task_record& task, std::int64_t now);
    void run_task(const recoup::task_record& task, std::int64_t now);
    recoup::task_result run_execute(const recoup::task_record& task, std::int64_t now, note& n);
    recoup::task_result run_psync(const recoup::task_record& task, std::int64_t now, note& n);
    recoup::task_result run_record_back(const recoup::task_record& task, std::int64_t now, note& n);
    recoup::task_result after_fault(const recoup::task_record& task, const std::string& processor,
                                    recoup::http_fault fault, std::int64_t now, note& n);

    soci_store& store_;
    const recoupd::plugins& plugins_;
    const outbound::client& client_;
    recoupd::metrics* metrics_;
    scheduler_options options_;
    recoupd::outbox outbox_;
    std::size_t deliveries_ = 0;
};

} // namespace recoupd
