// recoupd: the recovery API (issue #14, docs/api.md), under the admin token like the workflow
// route: GET /v2/recovery/invoices, GET /v2/recovery/invoices/{payment_id},
// GET /v2/recovery/summary. 401 without the token, 400 (IR_06) naming a bad query parameter,
// 404 for an unknown payment, 503 (HE_03) when the database is down.
#pragma once

#include "http/message.hpp"

#include <string>

namespace recoupd {
struct app;
}

namespace recoupd::http {

response handle_recovery_invoices(app& a, const request& req);
response handle_recovery_invoice(app& a, const request& req, const std::string& payment_id);
response handle_recovery_summary(app& a, const request& req);

} // namespace recoupd::http
