// recoupd: the recovery read model (issue #14), read-only, for the recovery API and the dashboard.
// Three questions, each answered with plain structs from plain reads (no row lock, no write
// transaction, so looking never holds up a webhook or the scheduler):
//   list_invoices        a page of invoices (payment_intent rows) matching a filter, newest first
//   invoice_timeline_of  one invoice's story: webhooks, attempts, tasks, record-backs, outbox rows
//   summary_of           what was won back: counts, amounts per currency, per connector, per
//                        decline class and per day
// Every statement is parameterized. Times are unix seconds, as stored. Storage faults are thrown
// as recoup::storage_error, like the rest of soci_store. "Recovered" is defined once, here:
//   an invoice is *in recovery* when at least one of its attempts failed; it is *recovered* when
//   it is in recovery and its intent succeeded. It was recovered *by* `internal` (our retry) when
//   a charged attempt triggered_by internal exists, else by `external` (the billing platform's
//   own dunning, or the customer). Its recovered amount is the intent's amount and currency; its
//   recovery time is the newest charged attempt's modified_at (the intent's modified_at when no
//   charged attempt is stored).
#pragma once

#include "store/soci_store.hpp"

#include <recoup/domain.hpp>
#include <recoup/store.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace recoupd {

// ---- the invoice list ---------------------------------------------------------------------------

inline constexpr std::size_t default_invoice_page = 50;
inline constexpr std::size_t max_invoice_page = 200;

// Where a page ends: the last item's (created_at, payment id). The list is ordered by
// created_at DESC, id DESC, so the next page is every row strictly after this key: stable under
// inserts (a row created later lands before the cursor, never shifts a page).
struct invoice_cursor {
    std::int64_t created_at = 0;
    std::string payment_id;
};

// The opaque cursor text: base64url of "v1:<created_at>:<payment_id>".
std::string encode_cursor(const invoice_cursor& c);
// None when `text` is not a cursor encode_cursor() made (bad base64, wrong version, bad id).
std::optional<invoice_cursor> decode_cursor(std::string_view text);

// Every field is optional; those given are ANDed.
struct invoice_filter {
    std::optional<std::string> profile_id;
    std::optional<recoup::intent_status> status;
    std::optional<std::string> connector;     // the billing MCA's connector ("stripe_billing", ...)
    std::optional<std::string> decline_class; // the invoice's last decline class (see invoice_item)
    std::optional<std::int64_t> from;         // created_at >= from
    std::optional<std::int64_t> to;           // created_at < to
    std::size_t limit = default_invoice_page; // 1..max_invoice_page
    std::optional<invoice_cursor> cursor;     // after this key; none: the first page
};

// One invoice as the list shows it.
struct invoice_item {
    std::string payment_id;
    std::string invoice; // merchant_reference_id
    std::string profile_id;
    std::optional<std::string> connector; // none when the billing MCA is gone or unset
    std::string billing_mca_id;
    recoup::intent_status status = recoup::intent_status::requires_payment_method;
    std::int64_t amount = 0;
    std::string currency;
    std::int32_t retry_count = 0; // total_retry_count: failures seen, external and internal
    std::int64_t attempts = 0;    // payment_attempt rows
    // Of the newest failed attempt (by created_at, id): its decline class and error code.
    std::optional<std::string> last_decline_class;
    std::optional<std::string> last_decline_code;
    std::int64_t created_at = 0;
    std::int64_t modified_at = 0;
    // The open EXECUTE_WORKFLOW task's schedule_time; none when no retry is scheduled.
    std::optional<std::int64_t> next_retry_at;
};

struct invoice_page {
    std::vector<invoice_item> data;
    std::optional<invoice_cursor> next_cursor; // none on the last page
};

invoice_page list_invoices(soci_store& store, const invoice_filter& filter);

// ---- one invoice's timeline ---------------------------------------------------------------------

// A webhook_event row without its raw body.
struct timeline_webhook {
    std::string id;
    std::int64_t received_at = 0;
    std::string mca_id;
    std::optional<std::string> connector_event_id;
    std::string event_type;
    std::string action;
    std::string outcome;
    int http_status = 0;
};

// A payment_attempt row with the decline columns of migration 0004.
struct timeline_attempt {
    recoup::attempt_record attempt;
    std::optional<std::string> decline_class;
    std::optional<std::string> network;
    std::optional<std::string> network_decline_code;
    std::optional<std::string> network_advice_code;
};

// An outgoing_webhook row: never its body's signature, the endpoint's URL or its secret.
struct timeline_outgoing_webhook {
    std::string id; // the webhook-id
    std::string endpoint_id;
    std::string event_type;
    std::string status; // pending | delivered | failed
    int attempts = 0;
    std::optional<int> last_status;
    std::int64_t next_attempt_at = 0;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> delivered_at;
};

struct invoice_timeline {
    invoice_item invoice;
    std::vector<timeline_webhook> webhooks;                   // oldest first
    std::vector<timeline_attempt> attempts;                   // oldest first
    std::vector<recoup::task_record> tasks;                   // every process_tracker row of the payment
    std::vector<recoup::task_record> record_backs;            // the RECORD_BACK_WORKFLOW ones among them
    std::vector<timeline_outgoing_webhook> outgoing_webhooks; // oldest first
};

// None when no intent has that id.
std::optional<invoice_timeline> invoice_timeline_of(soci_store& store, const std::string& payment_id);

// ---- the summary --------------------------------------------------------------------------------

using amounts_by_currency = std::map<std::string, std::int64_t>; // ISO code -> minor units

struct recovery_tally {
    std::int64_t invoices = 0;             // intents created in the window
    std::int64_t invoices_in_recovery = 0; // ... with at least one failed attempt
    std::int64_t recovered_invoices = 0;
    amounts_by_currency recovered_amount;
};

struct day_tally {
    std::int64_t recovered_invoices = 0;
    amounts_by_currency recovered_amount;
};

struct recovery_summary {
    std::optional<std::string> profile_id;
    std::optional<std::int64_t> from, to; // the window on the intents' created_at, as asked
    recovery_tally total;
    // recovered_invoices / invoices_in_recovery; 0 when none is in recovery.
    double recovery_rate = 0;
    // Attempts of the recovered invoices (all of them, the charged one included) per recovered
    // invoice; 0 when none was recovered.
    double attempts_per_recovery = 0;
    std::int64_t recovered_by_internal = 0; // our retries
    std::int64_t recovered_by_external = 0; // the platform's dunning or the customer
    std::map<std::string, recovery_tally> by_connector;     // unknown_group when the MCA is gone
    std::map<std::string, recovery_tally> by_decline_class; // invoices in recovery, by last decline class
    std::map<std::string, day_tally> per_day;               // "YYYY-MM-DD" (UTC) of the recovery time
};

inline constexpr std::string_view unknown_group = "unknown"; // a NULL connector or decline class

recovery_summary summary_of(soci_store& store, const std::optional<std::string>& profile_id,
                            std::optional<std::int64_t> from, std::optional<std::int64_t> to);

// ---- replays -------------------------------------------------------------------------------------

// How many times a delivery of `mca_id` was reprocessed: its webhook_delivery rows whose dedup key
// starts with recoup::replay_dedup_prefix(original_dedup_key) (`recoupd events replay --reprocess`).
std::int64_t replays_of(soci_store& store, const std::string& mca_id, const std::string& original_dedup_key);

} // namespace recoupd
