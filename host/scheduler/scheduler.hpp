// recoupd: the retry scheduler (SPEC.md §5). It claims due process_tracker tasks with a lease
// (one transaction: take them FOR UPDATE SKIP LOCKED, mark them process_started until
// now + lease, commit), then runs each one:
//   EXECUTE_WORKFLOW      charge the stored token through the payment processor the billing
//                         MCA's billing_account_reference resolves to, then apply
//                         recoup::decide_after_charge() in one transaction;
//   PSYNC_WORKFLOW        poll a pending charge, recoup::decide_after_poll(), same application;
//   RECORD_BACK_WORKFLOW  report the outcome to the billing platform (retried with backoff).
// A task whose worker dies becomes due again when its lease expires; the internal attempt id is
// the processor's idempotency key, so a rerun never charges twice.
#pragma once

#include "metrics.hpp"
#include "outbound/client.hpp"
#include "plugins.hpp"
#include "settings.hpp"
#include "store/soci_store.hpp"

#include <recoup/plugin/loader.hpp>
#include <recoup/retry.hpp>

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

inline constexpr std::string_view record_back_workflow_task = "RECORD_BACK_WORKFLOW";
// Where a waiting EXECUTE_WORKFLOW task sits while its PSYNC task polls: 9999-12-31T23:59:59Z.
inline constexpr std::int64_t far_future = 253402300799;

// business_status values the host adds to the library's.
namespace host_business_status {
inline constexpr std::string_view intent_not_found = "INTENT_NOT_FOUND";
inline constexpr std::string_view intent_terminal = "INTENT_ALREADY_TERMINAL";
inline constexpr std::string_view no_payment_method = "NO_PAYMENT_METHOD_TOKEN";
inline constexpr std::string_view no_processor_mapping = "NO_PROCESSOR_MAPPING";
inline constexpr std::string_view processor_unavailable = "PROCESSOR_NOT_AVAILABLE";
inline constexpr std::string_view charge_rejected = "CHARGE_REQUEST_REJECTED";
inline constexpr std::string_view record_back_complete = "RECORD_BACK_COMPLETE";
inline constexpr std::string_view record_back_failed = "RECORD_BACK_FAILED";
inline constexpr std::string_view record_back_not_supported = "RECORD_BACK_NOT_SUPPORTED";
inline constexpr std::string_view unknown_task = "UNKNOWN_TASK";
} // namespace host_business_status

inline std::string record_back_task_id(std::string_view payment_id)
{
    return "PASSIVE_RECOVERY_WORKFLOW_RECORD_BACK_WORKFLOW_" + std::string(payment_id);
}

struct scheduler_options {
    std::size_t batch = 50;
    std::int64_t lease_seconds = 300;       // a claimed task is due again after this
    std::int64_t transport_retry_seconds = 60; // a charge that got no answer is retried this soon
    std::int32_t record_back_attempts = 8;  // then the record-back task finishes as failed
};

class scheduler {
public:
    scheduler(soci_store& store, const recoupd::plugins& plugins, const outbound::client& client,
              recoupd::metrics* metrics, scheduler_options options = {});

    // Claims up to `batch` tasks due at `now` and runs them. Returns how many were claimed.
    std::size_t run_once(std::int64_t now);
    // run_once() until nothing is due at `now`. Returns how many were claimed in all.
    std::size_t drain(std::int64_t now);
    // Until `stop`: drain at clock(), then sleep `interval`. Storage failures are logged and retried.
    void loop(const std::function<std::int64_t()>& clock, const std::atomic<bool>& stop,
              std::chrono::milliseconds interval);

private:
    std::vector<recoup::task_record> claim(std::int64_t now);
    void run_task(const recoup::task_record& task, std::int64_t now);
    std::string run_execute(const recoup::task_record& task, std::int64_t now);
    std::string run_psync(const recoup::task_record& task, std::int64_t now);
    std::string run_record_back(const recoup::task_record& task, std::int64_t now);

    soci_store& store_;
    const recoupd::plugins& plugins_;
    const outbound::client& client_;
    recoupd::metrics* metrics_;
    scheduler_options options_;
};

} // namespace recoupd
