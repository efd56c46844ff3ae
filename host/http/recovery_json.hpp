// recoupd: the recovery read model as JSON, in one place: the API's bodies (docs/api.md). Keys
// are contracts. Absent values are null; times are unix seconds; amounts are minor units.
#pragma once

#include "store/recovery_queries.hpp"

#include <boost/json.hpp>

namespace recoupd::http {

boost::json::object to_json(const invoice_item& item);
// {"data": [...], "next_cursor": "..." | null}
boost::json::object to_json(const invoice_page& page);
// {"invoice": {...}, "webhooks", "attempts", "tasks", "record_backs", "outgoing_webhooks"}
boost::json::object to_json(const invoice_timeline& timeline);
// {"invoices", "invoices_in_recovery", "recovered_invoices", "recovered_amount", "recovery_rate",
//  "attempts_per_recovery", "recovered_by", "by_connector", "by_decline_class", "per_day", ...}
boost::json::object to_json(const recovery_summary& summary);

} // namespace recoupd::http
