// recoupd: the dashboard (issue #14, docs/dashboard.md). GET /dashboard (summary, chart of
// recovered amount per day, the invoice list with filters), GET /dashboard/invoices/{payment_id}
// (one invoice's timeline), POST /dashboard/login and /dashboard/logout, GET /dashboard/style.css.
// A page needs `Authorization: Bearer $RECOUP_ADMIN_TOKEN` or the session cookie the login sets;
// without either it is the login form (401) and no data.
#pragma once

#include "http/message.hpp"
#include "http/route.hpp"

namespace recoupd {
struct app;
}

namespace recoupd::http {

response handle_dashboard(app& a, const request& req, const route& r);

} // namespace recoupd::http
