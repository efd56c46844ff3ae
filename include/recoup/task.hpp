// recoup: the process_tracker vocabulary in one place: task names and ids, task statuses, every
// business_status the library and the host write, and each task kind's tracking_data as a typed
// struct. The spellings are stored in the database: never change one (docs/behaviour.md).
#pragma once

#include <recoup/connector.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/detail/enum_names.hpp>
#include <recoup/money.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// The runner of every recovery task.
inline constexpr std::string_view passive_recovery_runner = "PASSIVE_RECOVERY_WORKFLOW";

// Task names (process_tracker.name).
inline constexpr std::string_view execute_workflow_task = "EXECUTE_WORKFLOW";
inline constexpr std::string_view psync_workflow_task = "PSYNC_WORKFLOW";
inline constexpr std::string_view record_back_workflow_task = "RECORD_BACK_WORKFLOW";

enum class task_kind { execute, psync, record_back };

template <>
struct enum_names<task_kind> {
    static constexpr std::array<std::pair<task_kind, std::string_view>, 3> values{{
        {task_kind::execute, execute_workflow_task},
        {task_kind::psync, psync_workflow_task},
        {task_kind::record_back, record_back_workflow_task},
    }};
};

// "PASSIVE_RECOVERY_WORKFLOW_{name}_{payment_id}": one task of each kind per intent, ever.
std::string task_id(task_kind kind, std::string_view payment_id);

// process_tracker statuses, as the reference spells them.
inline constexpr std::string_view task_status_new = "new";
inline constexpr std::string_view task_status_started = "process_started";
inline constexpr std::string_view task_status_finish = "finish";

// Where a waiting EXECUTE_WORKFLOW task sits while its PSYNC task polls: 9999-12-31T23:59:59Z.
inline constexpr std::int64_t far_future = 253402300799;

// Every business_status a task is given, the library's and the host's.
namespace business_status {
inline constexpr std::string_view pending = "Pending";
inline constexpr std::string_view awaiting_psync = "AWAITING_PSYNC";
inline constexpr std::string_view succeeded = "EXECUTE_WORKFLOW_COMPLETE";
inline constexpr std::string_view retries_exhausted = "RETRIES_EXHAUSTED";
inline constexpr std::string_view hard_decline = "HARD_DECLINE";
// Every payment method of the invoice is barred by a never-retry decline or rule (docs/recovery.md).
inline constexpr std::string_view never_retry = "NEVER_RETRY";
// The card network's budget allows no attempt on the remaining method before the invoice's horizon.
inline constexpr std::string_view network_budget_exhausted = "NETWORK_BUDGET_EXHAUSTED";
inline constexpr std::string_view psync_complete = "PSYNC_WORKFLOW_COMPLETE";
inline constexpr std::string_view external_payment = "COMPLETED_BY_EXTERNAL_PAYMENT";
inline constexpr std::string_view invoice_cancelled = "INVOICE_CANCELLED";
inline constexpr std::string_view intent_not_found = "INTENT_NOT_FOUND";
inline constexpr std::string_view intent_terminal = "INTENT_ALREADY_TERMINAL";
inline constexpr std::string_view no_payment_method = "NO_PAYMENT_METHOD_TOKEN";
inline constexpr std::string_view no_processor_mapping = "NO_PROCESSOR_MAPPING";
inline constexpr std::string_view processor_unavailable = "PROCESSOR_NOT_AVAILABLE";
inline constexpr std::string_view charge_rejected = "CHARGE_REQUEST_REJECTED";
// The processor gave no usable answer processor_fault_tries times (the charge's outcome is unknown).
inline constexpr std::string_view processor_retries_exhausted = "PROCESSOR_RETRIES_EXHAUSTED";
inline constexpr std::string_view processor_auth_failed = "PROCESSOR_AUTH_FAILED"; // 401, 403
inline constexpr std::string_view processor_conflict = "PROCESSOR_CONFLICT";       // 409: the key is in use
inline constexpr std::string_view record_back_complete = "RECORD_BACK_COMPLETE";
inline constexpr std::string_view record_back_failed = "RECORD_BACK_FAILED";
inline constexpr std::string_view record_back_not_supported = "RECORD_BACK_NOT_SUPPORTED";
inline constexpr std::string_view record_back_rejected = "RECORD_BACK_REJECTED"; // a 4xx but 408 and 429
inline constexpr std::string_view unknown_task = "UNKNOWN_TASK";
} // namespace business_status

// What running a task came to; the names are the scheduler's metric labels.
enum class task_result {
    succeeded, rearmed, failed, awaiting_psync, claim_lost, finished, retry, not_supported,
    transport_error, unknown_task, error,
};

template <>
struct enum_names<task_result> {
    static constexpr std::array<std::pair<task_result, std::string_view>, 11> values{{
        {task_result::succeeded, "succeeded"},
        {task_result::rearmed, "rearmed"},
        {task_result::failed, "failed"},
        {task_result::awaiting_psync, "awaiting_psync"},
        {task_result::claim_lost, "claim_lost"},
        {task_result::finished, "finished"},
        {task_result::retry, "retry"},
        {task_result::not_supported, "not_supported"},
        {task_result::transport_error, "transport_error"},
        {task_result::unknown_task, "unknown_task"},
        {task_result::error, "error"},
    }};
};

// tracking_data of EXECUTE_WORKFLOW.
struct execute_tracking {
    std::string payment_id;
    std::string profile_id;
    std::string billing_mca_id;
    std::int32_t processor_faults = 0; // of the current retry; the key is absent when 0
};

// tracking_data of PSYNC_WORKFLOW: the pending charge being polled.
struct psync_tracking {
    std::string payment_id;
    std::string attempt_id;
    std::string processor_transaction_id;
    std::int32_t poll_count = 0;
    std::int32_t processor_faults = 0; // of the current poll; the key is absent when 0
};

// tracking_data of RECORD_BACK_WORKFLOW: what to report to the billing platform.
struct record_back_tracking {
    std::string payment_id;
    std::string profile_id;
    std::string billing_mca_id;
    recovery_outcome outcome = recovery_outcome::failed;
    std::string invoice_id;
    std::int64_t amount = 0;
    recoup::currency currency{};
    std::string attempt_id;
    std::int64_t occurred_at = 0;
    std::optional<std::string> connector_transaction_id; // the key is absent when there is none
};

// Written with the keys in this order; read leniently (a missing or mistyped field keeps its
// default), as the scheduler always has.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const execute_tracking& t);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const psync_tracking& t);
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const record_back_tracking& t);
execute_tracking tag_invoke(const boost::json::value_to_tag<execute_tracking>&, const boost::json::value& jv);
psync_tracking tag_invoke(const boost::json::value_to_tag<psync_tracking>&, const boost::json::value& jv);
record_back_tracking tag_invoke(const boost::json::value_to_tag<record_back_tracking>&, const boost::json::value& jv);

// The text stored in task_record::tracking_data, and back (unparsable text: all defaults).
template <class T>
std::string tracking_text(const T& data);
template <class T>
T tracking_of(std::string_view text);

RECOUP_END_NAMESPACE

#include <recoup/impl/task.hpp>
