// recoupd: the admin API. GET /v2/process_tracker/revenue_recovery_workflow/{payment_id} shows a
// payment's recovery: the intent, its EXECUTE_WORKFLOW and PSYNC_WORKFLOW tasks and its attempts.
// It needs `Authorization: Bearer $RECOUP_ADMIN_TOKEN`; without RECOUP_ADMIN_TOKEN set it always
// answers 401.
#pragma once

#include "http/message.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace recoupd {
struct app;
}

namespace recoupd::http {

// True when the request carries `Authorization: Bearer $RECOUP_ADMIN_TOKEN` (constant-time; an
// unset or empty RECOUP_ADMIN_TOKEN lets nobody in). Every admin route and the dashboard use it.
bool admin_authorized(const request& req);
// RECOUP_ADMIN_TOKEN, or nullopt when it is unset or empty (which lets nobody in).
std::optional<std::string> admin_token();
// `presented` is the admin token itself (the dashboard's login form), compared the same way.
bool is_admin_token(std::string_view presented);

response handle_workflow(app& a, const request& req, const std::string& payment_id);

} // namespace recoupd::http
