// recoupd: the dashboard's HTML (docs/dashboard.md), rendered on the server from the recovery read
// model (store/recovery_queries.hpp). Pure: data in, markup out. Every value that comes from a
// platform, a request or the database is escaped (html::escape); the pages carry stable ids and
// data-* attributes (data-figure, data-payment-id, data-section, ...) that the browser test reads.
#pragma once

#include "store/recovery_queries.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace recoupd::http::dashboard_pages {

// Every page's Content-Security-Policy: only our own stylesheet (and no script at all), no
// third-party anything, forms post only to us, no framing.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

inline constexpr std::string_view home_path = "/dashboard";
inline constexpr std::string_view login_path = "/dashboard/login";
inline constexpr std::string_view logout_path = "/dashboard/logout";
inline constexpr std::string_view style_path = "/dashboard/style.css";
inline constexpr std::string_view invoice_path = "/dashboard/invoices/"; // + payment id

// The login form and nothing else. `message`: why it is shown again (a wrong token), or empty.
std::string login(std::string_view message, bool enabled);

// The filter form's fields as the request gave them (name -> raw value), kept to refill the form
// and to build the page links.
using form_fields = std::vector<std::pair<std::string, std::string>>;

struct home_view {
    const recovery_summary* summary = nullptr; // null when the filter was refused
    const invoice_page* page = nullptr;        // null when the filter was refused
    form_fields fields;
    std::string error; // a refused filter: which parameter and why
    bool on_first_page = true;
};
std::string home(const home_view& view);

std::string invoice(const invoice_timeline& timeline);
std::string invoice_not_found(std::string_view payment_id);
// The database could not answer (a 503).
std::string unavailable();

// The one stylesheet, served at style_path.
std::string_view stylesheet();

// Shared by the pages: the document around `main` (title, stylesheet, the header with logout).
std::string frame(std::string_view title, std::string_view main, bool signed_in);

} // namespace recoupd::http::dashboard_pages
